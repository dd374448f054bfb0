/**
 * Bundle size and cold start: wall time from spawning `node dist/index.js` (Node 24, as the
 * runner does) to its first AWS call arriving at the simulator, against bare `node -e 0`.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runnerNode } from '../test/harness/run-action.js';
import { Simulator } from '../test/sim/index.js';
import type { BenchRow } from './types.js';

const RUNS = 7;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeToFirstCall(sim: Simulator): Promise<number> {
  sim.log.clear();
  const started = Date.now();
  const child = spawn(runnerNode(), [path.join(ROOT, 'dist', 'index.js')], {
    env: {
      ...sim.env(),
      PATH: process.env.PATH ?? '',
      INPUT_COMMAND: 'register',
      INPUT_CLUSTER: 'bench',
      INPUT_SERVICE: 'bench',
    },
    stdio: 'ignore',
  });
  while (sim.log.calls.length === 0) await new Promise((r) => setTimeout(r, 2));
  const first = sim.log.calls[0]!.at - started;
  await new Promise((r) => child.on('close', r));
  return first;
}

async function bareNode(): Promise<number> {
  const started = Date.now();
  const child = spawn(runnerNode(), ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.on('close', r));
  return Date.now() - started;
}

export async function bench(): Promise<BenchRow[]> {
  const sim = await Simulator.start();
  try {
    const cold: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      cold.push(await timeToFirstCall(sim));
      bare.push(await bareNode());
    }
    const size = (f: string) => statSync(path.join(ROOT, 'dist', f)).size / 1024;
    return [
      { group: 'bundle', name: 'dist/index.js size', value: size('index.js'), unit: 'KiB' },
      { group: 'bundle', name: 'dist/post/index.js size', value: size('post/index.js'), unit: 'KiB' },
      {
        group: 'startup',
        name: 'spawn to first AWS call',
        value: median(cold),
        unit: 'ms',
        note: `median of ${RUNS}, Node 24`,
      },
      {
        group: 'startup',
        name: 'bare node -e 0',
        value: median(bare),
        unit: 'ms',
        note: 'baseline: the runtime alone',
      },
    ];
  } finally {
    await sim.stop();
  }
}
