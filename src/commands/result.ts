/** What a command hands back to main: outputs to set, a summary to write, and a failure if any. */
export interface CommandResult {
  outputs: Record<string, string>;
  /** Markdown for the job summary. */
  summary: string;
  /** When set, main fails the step with this message (after setting outputs and the summary). */
  failure?: string;
}
