/**
 * Cancellation as the runner does it: SIGINT, then SIGTERM 7.5 s later, then a kill 2.5 s
 * after that. The first signal aborts the release (every wait in it is abortable) and starts
 * the undo at once, so production traffic is back on the healthy side within the first
 * seconds; later signals change nothing, the undo simply continues.
 */
import { setTimeout as wait } from 'node:timers/promises';

export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(readonly signal: string) {
    super(`The job was cancelled (${signal}).`);
  }
}

export function isCancelled(err: unknown): err is CancelledError {
  return err instanceof CancelledError;
}

/**
 * Calls `onCancel` on the first SIGINT or SIGTERM and aborts the returned signal. Installing
 * the handlers also keeps Node from exiting at once, which would skip the undo.
 */
export function watchForCancel(onCancel: (err: CancelledError) => void): {
  signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    const err = new CancelledError(name);
    controller.abort(err);
    onCancel(err);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * A timer that rejects with the abort reason as soon as `signal` aborts (not with Node's
 * generic AbortError), so a cancelled wait reads as the cancellation it is.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await wait(ms, undefined, { signal });
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  }
}
