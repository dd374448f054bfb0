/**
 * Runs the bundled action as the GitHub Actions runner does: a child process of Node 24 on
 * the `main` file action.yml names (then its `post` file), inputs as `INPUT_<NAME>` variables, outputs,
 * state and summary through the files named by `GITHUB_OUTPUT`, `GITHUB_STATE` and
 * `GITHUB_STEP_SUMMARY`, state handed to the post step as `STATE_<name>`, and cancellation as
 * the runner does it: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Node the runner uses for `node24` actions, when installed; else the current one. */
export function runnerNode(): string {
  const node24 = path.join(ROOT, 'node_modules', '.bin', 'node');
  return existsSync(node24) ? node24 : process.execPath;
}

/** The files action.yml tells the runner to run for the main and the post step. */
export function actionEntries(): { main: string; post: string } {
  const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
    runs: { main: string; post: string };
  };
  return { main: path.join(ROOT, action.runs.main), post: path.join(ROOT, action.runs.post) };
}

export interface RunOptions {
  inputs?: Record<string, string | number | boolean | undefined>;
  /** Extra environment (AWS endpoint and credentials of the simulator, GitHub context…). */
  env?: Record<string, string | undefined>;
  /** The workspace (`GITHUB_WORKSPACE` and working directory); default: a fresh temp dir. */
  workspace?: string;
  /** Cancel the step: called with the output so far; return true to send SIGINT now. */
  cancelWhen?: (stdout: string) => boolean;
  /** Cancel the step this many wall milliseconds after start. */
  cancelAfterMs?: number;
  /** Also run the post step afterwards (as the runner always does for actions with `post`). */
  post?: boolean;
  /** Give up (SIGKILL) after this long; default 120 s. */
  killAfterMs?: number;
}

export interface StepResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** `::error::` annotations (the text after the command). */
  errors: string[];
  warnings: string[];
  durationMs: number;
  /** Wall ms from start to SIGINT, when cancelled. */
  cancelledAtMs?: number;
}

export interface RunResult extends StepResult {
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  post?: StepResult;
  postSummary?: string;
}

/** Parse the `name<<delimiter … delimiter` (and legacy `name=value`) format of runner files. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

function inputEnv(inputs: RunOptions['inputs']): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs ?? {})) {
    if (value === undefined) continue;
    // The runner upper-cases the name and replaces spaces with underscores; hyphens stay.
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = String(value);
  }
  return env;
}

function annotations(stdout: string, kind: 'error' | 'warning'): string[] {
  const re = new RegExp(`^::${kind}(?: [^:]*)?::(.*)$`, 'gm');
  return [...stdout.matchAll(re)].map((m) =>
    m[1]!.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'),
  );
}

function runStep(
  entry: string,
  env: Record<string, string>,
  cwd: string,
  options: RunOptions,
): Promise<StepResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(runnerNode(), [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let cancelledAtMs: number | undefined;
    const timers: NodeJS.Timeout[] = [];
    const cancel = () => {
      if (cancelledAtMs !== undefined) return;
      cancelledAtMs = Date.now() - started;
      child.kill('SIGINT');
      timers.push(setTimeout(() => child.kill('SIGTERM'), 7_500));
      timers.push(setTimeout(() => child.kill('SIGKILL'), 10_000));
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.cancelWhen?.(stdout)) cancel();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    if (options.cancelAfterMs !== undefined) timers.push(setTimeout(cancel, options.cancelAfterMs));
    timers.push(setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 120_000));
    child.on('close', (exitCode, signal) => {
      for (const t of timers) clearTimeout(t);
      resolve({
        exitCode,
        signal,
        stdout,
        stderr,
        errors: annotations(stdout, 'error'),
        warnings: annotations(stdout, 'warning'),
        durationMs: Date.now() - started,
        cancelledAtMs,
      });
    });
  });
}

/** Run the main step (and optionally the post step) of the bundled action. */
export async function runAction(options: RunOptions = {}): Promise<RunResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'action-run-'));
  const workspace = options.workspace ?? dir;
  const files = {
    output: path.join(dir, 'output'),
    state: path.join(dir, 'state'),
    summary: path.join(dir, 'summary.md'),
    postSummary: path.join(dir, 'post-summary.md'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'example/app',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '1001',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: dir,
    ...(Object.fromEntries(Object.entries(options.env ?? {}).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >),
  };
  try {
    const entries = actionEntries();
    const main = await runStep(
      entries.main,
      {
        ...base,
        ...inputEnv(options.inputs),
        GITHUB_OUTPUT: files.output,
        GITHUB_STATE: files.state,
        GITHUB_STEP_SUMMARY: files.summary,
      },
      workspace,
      options,
    );
    const state = parseCommandFile(readFileSync(files.state, 'utf8'));
    const result: RunResult = {
      ...main,
      outputs: parseCommandFile(readFileSync(files.output, 'utf8')),
      state,
      summary: readFileSync(files.summary, 'utf8'),
    };
    if (options.post) {
      const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]));
      result.post = await runStep(
        entries.post,
        { ...base, ...inputEnv(options.inputs), ...stateEnv, GITHUB_STEP_SUMMARY: files.postSummary },
        workspace,
        { killAfterMs: options.killAfterMs },
      );
      result.postSummary = readFileSync(files.postSummary, 'utf8');
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
