/** How every command watches an ECS deployment, from the settings the user gave. */
import * as core from '@actions/core';
import type { Settings } from '../settings/settings.js';
import type { WatchOptions } from './watch.js';

export function watchOptionsFrom(settings: Settings): WatchOptions {
  return {
    pollIntervalMs: settings.pollIntervalMs,
    timeoutMs: settings.timeoutMs,
    failedTasksThreshold: settings.rolling.failedTasksThreshold,
    circuitBreaker: settings.rolling.circuitBreaker,
    log: (line: string) => core.info(line),
    warn: (line: string) => core.warning(line),
  };
}
