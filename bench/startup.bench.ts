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
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT, runnerNode } from '../test/harness/run-action.js';
import { Simulator } from '../test/sim/index.js';
import type { BenchRow } from './types.js';

const RUNS = 9;
const LOADED_HOOK = pathToFileURL(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'loaded-files.mjs'),
).href;
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

async function timeToFirstCall(
  sim: Simulator,
  dist: string,
  env: Record<string, string>,
  loadedFile?: string,
): Promise<number> {
  sim.log.clear();
  const started = Date.now();
  const child = spawn(runnerNode(), [path.join(dist, 'index.js')], {
    env: {
      ...sim.env(),
      PATH: process.env.PATH ?? '',
      RUNNER_TEMP: os.tmpdir(),
      ...env,
      ...(loadedFile ? { NODE_OPTIONS: `--import=${LOADED_HOOK}`, BENCH_LOADED_FILE: loadedFile } : {}),
    },
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
  // A recording run must exit by itself to write its list (it fails fast: nothing exists).
  if (!exited && !loadedFile) child.kill('SIGKILL');
  await closed;
  if (!first) {
    throw new Error(`${env.INPUT_COMMAND} on ${dist} made no AWS call:\n${stdout.slice(0, 2000)}`);
  }
  return first.at - started;
}

/**
 * The post step's file: older builds had their own `dist/post/index.js`; now action.yml runs
 * `dist/index.js` again, told by the `isPost` state the main step leaves.
 */
function postEntry(dist: string): string {
  const own = path.join(dist, 'post', 'index.js');
  return existsSync(own) ? own : path.join(dist, 'index.js');
}

/** The post step with nothing to undo (no journal in state): spawn to exit. */
async function postStep(dist: string, loadedFile?: string): Promise<number> {
  const started = Date.now();
  const child = spawn(runnerNode(), [postEntry(dist)], {
    env: {
      PATH: process.env.PATH ?? '',
      STATE_isPost: 'true',
      ...(loadedFile ? { NODE_OPTIONS: `--import=${LOADED_HOOK}`, BENCH_LOADED_FILE: loadedFile } : {}),
    },
    stdio: 'ignore',
  });
  await new Promise((r) => child.on('close', r));
  return Date.now() - started;
}

/** KiB of the action's own files a run loaded (recorded by loaded-files.mjs). */
function loadedKiB(listFile: string): number {
  const files = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  return files.reduce((sum, f) => sum + statSync(f).size, 0) / 1024;
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
    const post: number[] = [];
    const postBase: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      post.push(await postStep(dist));
      if (baseline) postBase.push(await postStep(baseline));
    }
    // What each run reads of dist/: once more per command with the module-load recorder (not timed).
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-loaded-'));
    const loaded = async (build: string, command: string | 'post') => {
      const file = path.join(tmp, `${command}-${build === dist ? 'this' : 'baseline'}`);
      if (command === 'post') await postStep(build, file);
      else await timeToFirstCall(sim, build, commands[command]!, file);
      return loadedKiB(file);
    };
    const size = (f: string) => statSync(path.join(dist, f)).size / 1024;
    const postLoaded = await loaded(dist, 'post');
    const rows: BenchRow[] = [
      { group: 'bundle', name: 'dist/index.js size', value: size('index.js'), unit: 'KiB' },
      {
        group: 'bundle',
        name: 'dist/post/index.js size',
        value: existsSync(path.join(dist, 'post', 'index.js')) ? size('post/index.js') : postLoaded,
        unit: 'KiB',
        note: existsSync(path.join(dist, 'post', 'index.js'))
          ? undefined
          : 'no own file any more: what the post step loads of dist/ (entry + its chunks)',
      },
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
      const kib = await loaded(dist, command);
      rows.push({
        group: 'bundle',
        name: `code loaded by ${command}`,
        value: kib,
        unit: 'KiB',
        note: baseline ? `baseline ${(await loaded(baseline, command)).toFixed(0)} KiB` : 'of dist/',
      });
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
      name: 'post step, nothing to undo: spawn to exit',
      value: median(post),
      unit: 'ms',
      note: baseline
        ? `baseline ${median(postBase)} ms; loads ${postLoaded.toFixed(0)} KiB (baseline ${(await loaded(baseline, 'post')).toFixed(0)} KiB)`
        : `loads ${postLoaded.toFixed(0)} KiB`,
    });
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
