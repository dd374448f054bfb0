/**
 * Bundle size and cold start: wall time from spawning `node dist/index.js` (Node 24, as the
 * runner does) to its first AWS call arriving at the simulator, for each command, against bare
 * `node -e 0`.
 *
 * With `BENCH_BASELINE_DIST` naming another build's `dist/` (`npm run bench:baseline -- <ref>`
 * makes one from a git ref), the same commands are timed on it in the same run, runs of the two
 * builds interleaved so both see the same machine load, and the ratio is printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runnerNode } from '../test/harness/run-action.js';
import { Simulator } from '../test/sim/index.js';
import type { BenchRow } from './types.js';

const RUNS = 9;
/** A run that has made no AWS call by then is broken, not slow. */
const GIVE_UP_MS = 20_000;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Inputs (and run context) that bring each command to its first AWS call; nothing needs to exist. */
function commandEnv(): Record<string, Record<string, string>> {
  const event = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-event-')), 'event.json');
  writeFileSync(
    event,
    JSON.stringify({ action: 'synchronize', number: 7, pull_request: { number: 7, state: 'open' } }),
  );
  const common = { INPUT_CLUSTER: 'bench', INPUT_SERVICE: 'bench' };
  return {
    register: { ...common, INPUT_COMMAND: 'register' },
    deploy: { ...common, INPUT_COMMAND: 'deploy' },
    rollback: { ...common, INPUT_COMMAND: 'rollback', INPUT_REASON: 'bench' },
    'preview-up': {
      ...common,
      INPUT_COMMAND: 'preview-up',
      'INPUT_PREVIEW-LISTENER':
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/bench/0123456789abcdef/0123456789abcdef',
      'INPUT_PREVIEW-DOMAIN': 'preview.example.com',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'example/app',
    },
  };
}

async function timeToFirstCall(sim: Simulator, dist: string, env: Record<string, string>): Promise<number> {
  sim.log.clear();
  const started = Date.now();
  const child = spawn(runnerNode(), [path.join(dist, 'index.js')], {
    env: { ...sim.env(), PATH: process.env.PATH ?? '', RUNNER_TEMP: os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  let exited = false;
  const closed = new Promise((r) => child.on('close', r)).then(() => {
    exited = true;
  });
  while (sim.log.calls.length === 0 && !exited && Date.now() - started < GIVE_UP_MS) {
    await new Promise((r) => setTimeout(r, 2));
  }
  const first = sim.log.calls[0];
  if (!exited) child.kill('SIGKILL');
  await closed;
  if (!first) {
    throw new Error(`${env.INPUT_COMMAND} on ${dist} made no AWS call:\n${stdout.slice(0, 2000)}`);
  }
  return first.at - started;
}

async function bareNode(): Promise<number> {
  const started = Date.now();
  const child = spawn(runnerNode(), ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.on('close', r));
  return Date.now() - started;
}

/** Total size of a directory's files, in KiB. */
function treeSize(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) bytes += statSync(path.join(e.parentPath, e.name)).size;
  }
  return bytes / 1024;
}

export async function bench(): Promise<BenchRow[]> {
  const dist = path.join(ROOT, 'dist');
  const baseline = process.env.BENCH_BASELINE_DIST;
  const sim = await Simulator.start();
  try {
    const commands = commandEnv();
    const names = Object.keys(commands);
    const cold: Record<string, number[]> = Object.fromEntries(names.map((c) => [c, []]));
    const base: Record<string, number[]> = Object.fromEntries(names.map((c) => [c, []]));
    const bare: number[] = [];
    // One unmeasured run of each build first: the first spawn also reads the bundle from disk.
    await timeToFirstCall(sim, dist, commands.register!);
    if (baseline) await timeToFirstCall(sim, baseline, commands.register!);
    for (let i = 0; i < RUNS; i++) {
      for (const [command, env] of Object.entries(commands)) {
        cold[command]!.push(await timeToFirstCall(sim, dist, env));
        if (baseline) base[command]!.push(await timeToFirstCall(sim, baseline, env));
      }
      bare.push(await bareNode());
    }
    const size = (f: string) => statSync(path.join(dist, f)).size / 1024;
    const rows: BenchRow[] = [
      { group: 'bundle', name: 'dist/index.js size', value: size('index.js'), unit: 'KiB' },
      { group: 'bundle', name: 'dist/post/index.js size', value: size('post/index.js'), unit: 'KiB' },
      {
        group: 'bundle',
        name: 'dist/ total size',
        value: treeSize(dist),
        unit: 'KiB',
        note: `every file the action ships; target ≤ 2560${baseline ? `; baseline ${treeSize(baseline).toFixed(0)}` : ''}`,
      },
      {
        group: 'startup',
        name: 'spawn to first AWS call',
        value: median(cold.register!),
        unit: 'ms',
        note: `command: register, median of ${RUNS}, Node 24`,
      },
    ];
    for (const command of Object.keys(commands)) {
      rows.push({
        group: 'startup',
        name: `spawn to first AWS call, ${command}`,
        value: median(cold[command]!),
        unit: 'ms',
        note: baseline ? `baseline ${median(base[command]!)} ms` : `median of ${RUNS}`,
      });
      if (baseline) {
        rows.push({
          group: 'startup',
          name: `  ${command}: this build / baseline`,
          value: median(cold[command]!) / median(base[command]!),
          unit: '×',
          note: command === 'register' ? 'target ≤ 0.5' : `baseline: ${path.dirname(baseline)}`,
        });
      }
    }
    rows.push({
      group: 'startup',
      name: 'bare node -e 0',
      value: median(bare),
      unit: 'ms',
      note: `baseline: the runtime alone${baseline ? '' : '; set BENCH_BASELINE_DIST to compare builds'}`,
    });
    return rows;
  } finally {
    await sim.stop();
  }
}
