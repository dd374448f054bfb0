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

  /**
   * Mark a phase that returned as failed: watching a deployment that ECS rolled back finishes
   * without an error, but it is where the release failed, and the timeline must say so.
   */
  markFailed(name: string): void {
    for (const p of this.phases) if (p.name === name) p.ok = false;
  }

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
