/** How the demo's parts print a release and say which outcome its title promises. */
import type { RunResult } from '../test/harness/run-action.js';

/** A release's `status` output as its title promises it. */
export type Expected = 'succeeded' | 'rolled-back';

export type Show = (title: string, result: RunResult, expected: Expected) => void;
