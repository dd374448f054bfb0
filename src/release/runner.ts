/**
 * The release runner: every command that changes AWS runs inside one. It owns the journal
 * (every change, with its undo, recorded before it runs), the phase log (the groups in the log
 * and the timeline in the summary) and the abort signal that cancellation fires.
 *
 * What the first SIGINT/SIGTERM does depends on what is at stake:
 * - `{ undoNow }`: production traffic may already be on the new side (or a one-off task is
 *   running), so the undo starts at once, in parallel with the command noticing (the runner
 *   kills the step 10 s after SIGINT); `undoNow` is what the warning says is being done;
 * - `exit`: no handler; the process ends at once as Node ends it, and the post step walks the
 *   journal. For rolling deploys and rollbacks the undo is a deployment of its own, which the
 *   post step starts with its whole time to spare and nothing left racing it; for register and
 *   the preview commands every change is final, so there is nothing to undo.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { watchForCancel } from './cancel.js';
import { Journal } from './journal.js';
import { PhaseLog } from './phase-log.js';

export type OnCancel = 'exit' | { undoNow: string };

/** For the commands that move production traffic. */
export const RESTORE_TRAFFIC: OnCancel = {
  undoNow: 'Restoring production traffic to the side that served it before the release.',
};

export interface ReleaseRunner {
  journal: Journal;
  phases: PhaseLog;
  signal: AbortSignal;
}

export async function runRelease<T>(
  clients: AwsClients,
  onCancel: OnCancel,
  body: (runner: ReleaseRunner) => Promise<T>,
): Promise<T> {
  const journal = new Journal(clients);
  const phases = new PhaseLog();
  if (onCancel === 'exit') return body({ journal, phases, signal: new AbortController().signal });
  const cancel = watchForCancel((err) => {
    core.warning(`${err.message} ${onCancel.undoNow}`);
    void journal.undo(core.info);
  });
  try {
    return await body({ journal, phases, signal: cancel.signal });
  } finally {
    cancel.dispose();
  }
}
