/**
 * The post step: runs after the job (also when it failed or was cancelled). It reads the
 * journal the main step saved in action state and undoes whatever the main step did not get
 * to (the runner kills a cancelled step 10 s after SIGINT). Every undo is idempotent, so
 * repeating one the main step already did is harmless. It only warns: a cleanup problem must
 * not turn a finished deploy red.
 */
import * as core from '@actions/core';
import { JOURNAL_STATE, loadJournalState } from './release/journal-state.js';

export async function cleanup(): Promise<void> {
  try {
    const state = loadJournalState(core.getState(JOURNAL_STATE));
    if (!state) {
      core.info('Nothing to clean up.');
      return;
    }
    const pending = state.entries.filter((e) => !e.undone);
    const lines: string[] = [];
    if (pending.length === 0) {
      lines.push(
        state.committed
          ? 'Nothing left to undo: the release finished.'
          : 'Nothing left to undo: the main step restored everything it had changed.',
      );
    } else {
      core.info(`Undoing ${pending.length} step${pending.length === 1 ? '' : 's'} the main step left.`);
      // The undo code and only the clients the pending undos call: most post steps have
      // nothing to undo and load neither.
      const [{ createClients }, { undoEntries }, { clientsFor }, { LockLostError, stillHeld }] =
        await Promise.all([
          import('./aws/clients.js'),
          import('./release/journal.js'),
          import('./release/steps.js'),
          import('./release/lock.js'),
        ]);
      const clients = await createClients(state.region, clientsFor(pending.map((e) => e.step)));
      // The release lock the main step held must still be this run's before anything is undone:
      // once it expired and another release took it, what is live is that release's business.
      const lock = state.entries.find((e) => e.step.kind === 'lock' && !e.undone)?.step;
      const check =
        lock?.kind === 'lock'
          ? async () => {
              if (!(await stillHeld(clients.elb, lock.listenerArn, lock.token))) {
                throw new LockLostError(
                  "the release lock is no longer this run's (it expired, and another release may hold it); left to that release",
                );
              }
            }
          : undefined;
      const report = await undoEntries(
        clients,
        state,
        core.info,
        () => core.saveState(JOURNAL_STATE, JSON.stringify(state)),
        check,
      );
      lines.push(...report.done);
      for (const f of report.failed) core.warning(`Cleanup: ${f}`);
      lines.push(...report.failed);
    }
    for (const note of state.notes ?? []) core.warning(note);
    for (const line of lines) core.info(`Post step: ${line}`);
    if (process.env.GITHUB_STEP_SUMMARY) {
      await core.summary
        .addRaw(
          ['### Post step', ...lines.map((l) => `- ${l}`), ...(state.notes ?? []).map((n) => `> ${n}`)].join(
            '\n',
          ),
          true,
        )
        .write();
    }
  } catch (err) {
    core.warning(`Cleanup: ${err instanceof Error ? err.message : String(err)}`);
  }
}
