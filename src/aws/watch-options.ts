/** How every command watches an ECS deployment, from the settings the user gave. */
import { setTimeout as wait } from 'node:timers/promises';
import * as core from '@actions/core';
import type { Settings } from '../settings/settings.js';
import type { WatchOptions } from './watch.js';

/**
 * With `signal`, every wait between polls ends as soon as the job is cancelled, with the
 * cancellation as the error (not Node's generic AbortError), so the caller can tell it apart.
 */
export function watchOptionsFrom(settings: Settings, signal?: AbortSignal): WatchOptions {
  return {
    pollIntervalMs: settings.pollIntervalMs,
    timeoutMs: settings.timeoutMs,
    failedTasksThreshold: settings.rolling.failedTasksThreshold,
    circuitBreaker: settings.rolling.circuitBreaker,
    log: (line: string) => core.info(line),
    warn: (line: string) => core.warning(line),
    ...(signal
      ? {
          clock: {
            now: () => Date.now(),
            sleep: (ms: number) =>
              wait(ms, undefined, { signal }).catch((err: unknown) => {
                throw signal.aborted ? signal.reason : err;
              }),
          },
        }
      : {}),
  };
}
