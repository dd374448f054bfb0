/** Shared set-up for scenario tests: a simulator per test file and throw-away workspaces. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { type RunOptions, type RunResult, runAction } from '../harness/run-action.js';
import { Simulator, type SimulatorOptions } from '../sim/index.js';
import { checkCallsAllowed, roleOfRun } from './iam-check.js';

/** Start a simulator before the file's tests and stop it after; returns a getter. */
export function useSimulator(options: SimulatorOptions = {}): () => Simulator {
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await Simulator.start(options);
    // The action picks metric windows from the wall clock, as it must on AWS; have the
    // simulator read them that way (its data points carry simulated timestamps).
    sim.cloudwatch.queryWindowClock = 'wall';
  });
  afterAll(async () => {
    await sim?.stop();
  });
  return () => {
    if (!sim) throw new Error('simulator not started');
    return sim;
  };
}

/**
 * For a describe block: a builder of a fresh environment named `<prefix><n>` per test (tests
 * must not see each other's services), destroyed after the test.
 */
export function envPerTest<T extends { destroy(): void }>(
  build: (name: string) => Promise<T>,
  prefix: string,
): () => Promise<T> {
  let n = 0;
  let env: T | undefined;
  afterEach(() => env?.destroy());
  return async () => {
    env = await build(`${prefix}${++n}`);
    return env;
  };
}

/** A temporary workspace holding the given files (path → content; objects become JSON). */
export function workspace(files: Record<string, string | object> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workspace-'));
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** Run the bundled action against the simulator. */
export async function runAgainst(sim: Simulator, options: RunOptions): Promise<RunResult> {
  const first = sim.log.calls.length;
  const result = await runAction({ ...options, env: { ...sim.env(), ...options.env } });
  // Calls of a concurrent run of the same test land in the same window; they are the same role.
  checkCallsAllowed(roleOfRun(options), sim.log.calls.slice(first));
  return result;
}
