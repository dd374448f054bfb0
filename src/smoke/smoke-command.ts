/**
 * The team's own end-to-end suite as a smoke test: a shell command run in the workspace with
 * the test URL in `TEST_URL`. Exit 0 passes; anything else fails the release before production
 * sees the new version, with the last lines of its output as the reason.
 *
 * It runs with a minimal environment — PATH, HOME, TEST_URL and the names the user lists — so
 * the job's AWS credentials and OIDC token request variables never reach the suite's code.
 */
import { spawn } from 'node:child_process';
import type { SmokeResult } from './smoke.js';

/** Lines of output kept for the error and the summary. */
const TAIL_LINES = 5;

/** What the command sees: PATH, HOME, TEST_URL and the listed names that are set. */
export function smokeCommandEnv(
  parent: NodeJS.ProcessEnv,
  testUrl: string,
  passEnv: string[],
): Record<string, string> {
  const env: Record<string, string> = { TEST_URL: testUrl };
  for (const name of ['PATH', 'HOME', ...passEnv]) {
    const value = parent[name];
    if (value !== undefined && !/^(AWS_|ACTIONS_)/.test(name)) env[name] = value;
  }
  return env;
}

export async function runSmokeCommand(
  command: string,
  options: {
    testUrl: string;
    passEnv: string[];
    timeoutMs: number;
    log: (line: string) => void;
    signal?: AbortSignal;
  },
): Promise<SmokeResult> {
  const started = Date.now();
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      options.log(`  ${line}`);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    }
  };
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>(
    (resolve) => {
      const child = spawn('sh', ['-c', command], {
        env: smokeCommandEnv(process.env, options.testUrl, options.passEnv),
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: options.timeoutMs,
        signal: options.signal,
      });
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', (err) => {
        if (err.name !== 'AbortError') resolve({ code: null, signal: null, error: err.message });
      });
      child.on('close', (code, signal) => resolve({ code, signal }));
    },
  );
  options.signal?.throwIfAborted();
  const ms = Date.now() - started;
  const ok = outcome.code === 0;
  const how =
    outcome.error ??
    (outcome.signal
      ? ms >= options.timeoutMs
        ? `timed out after ${options.timeoutMs}ms (input "smoke-timeout")`
        : `killed by ${outcome.signal}`
      : `exit ${outcome.code}`);
  return {
    name: 'smoke-command',
    request: `$ ${command}`,
    expected: 'exit 0',
    got: ok || tail.length === 0 ? how : `${how}: ${tail.join(' / ')}`,
    ok,
    ms,
    attempts: 1,
  };
}
