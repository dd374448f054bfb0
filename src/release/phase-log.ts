/**
 * Phases of a command, each shown as a collapsible log group and timed for the job summary
 * (the table and the Mermaid timeline).
 */
import * as core from '@actions/core';

export interface Phase {
  name: string;
  startedAt: number;
  durationMs: number;
  ok: boolean;
}

export class PhaseLog {
  readonly phases: Phase[] = [];

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const startedAt = Date.now();
    const phase: Phase = { name, startedAt, durationMs: 0, ok: false };
    this.phases.push(phase);
    try {
      const result = await core.group(name, fn);
      phase.ok = true;
      return result;
    } finally {
      phase.durationMs = Date.now() - startedAt;
    }
  }
}
