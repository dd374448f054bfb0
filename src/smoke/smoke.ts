/**
 * Smoke tests: HTTP checks against the idle side (through the test listener) before it gets
 * any production traffic. Each check retries with a doubling delay, because a freshly healthy
 * target can still be warming up; all checks together stop at the overall timeout.
 */
import { sleep } from '../release/cancel.js';
import type { SmokeTest } from '../settings/blue-green.js';

export interface SmokeResult {
  name: string;
  request: string;
  expected: string;
  got: string;
  ok: boolean;
  /** Duration of the last attempt. */
  ms: number;
  attempts: number;
}

export interface SmokeOptions {
  timeoutMs: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** One request may not take longer than this, whatever the overall timeout. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Keep the body shown in an error short: it goes into annotations and the summary. */
const BODY_EXCERPT = 200;
/** Same-origin redirects followed before the answer counts as the result. */
const MAX_REDIRECTS = 5;

interface Answer {
  status: number;
  body: string;
  /** Set when the answer is a redirect that was not followed, and why. */
  redirectTo?: string;
  notFollowed?: string;
}

/**
 * Fetch, following redirects only within the origin of the first URL: a check's headers (which
 * may carry tokens) never travel to another host, and a redirect elsewhere is itself the answer.
 * A check that expects a 3xx gets the first answer as it is.
 */
export async function fetchSameOrigin(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
  followRedirects: boolean,
): Promise<Answer> {
  const origin = new URL(url).origin;
  let current = url;
  let { method, body } = init;
  for (let hop = 0; ; hop++) {
    const res = await fetch(current, {
      method,
      headers: init.headers,
      body,
      signal: init.signal,
      redirect: 'manual',
    });
    const location = res.headers.get('location');
    if (!followRedirects || res.status < 300 || res.status > 399 || !location) {
      return { status: res.status, body: await res.text() };
    }
    const next = new URL(location, current);
    await res.body?.cancel();
    if (next.origin !== origin) {
      return { status: res.status, body: '', redirectTo: next.href, notFollowed: 'another origin' };
    }
    if (hop >= MAX_REDIRECTS) {
      return {
        status: res.status,
        body: '',
        redirectTo: next.href,
        notFollowed: `more than ${MAX_REDIRECTS} redirects`,
      };
    }
    // As browsers do: 303, and 301/302 after a POST, continue as GET without a body.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    current = next.href;
  }
}

export async function runSmokeTests(
  baseUrl: string,
  tests: SmokeTest[],
  options: SmokeOptions,
): Promise<SmokeResult[]> {
  const deadline = Date.now() + options.timeoutMs;
  const results: SmokeResult[] = [];
  for (const test of tests) {
    const result = await runOne(baseUrl, test, deadline, options);
    options.log(
      `${result.ok ? 'passed' : 'FAILED'}: ${result.request} expected ${result.expected}, got ${result.got} (${result.ms}ms, ${result.attempts} attempt${result.attempts > 1 ? 's' : ''})`,
    );
    results.push(result);
    // Later checks would only add noise: the release stops at the first failure.
    if (!result.ok) break;
  }
  return results;
}

export function expectationOf(t: SmokeTest): string {
  const parts = [String(t.status)];
  if (t.contains !== undefined) parts.push(`contains "${t.contains}"`);
  if (t.regex !== undefined) parts.push(`matches /${t.regex}/`);
  for (const [field, value] of t.json) parts.push(`${field} = ${JSON.stringify(value)}`);
  if (t.maxLatencyMs !== undefined) parts.push(`≤ ${t.maxLatencyMs}ms`);
  return parts.join(', ');
}

async function runOne(
  baseUrl: string,
  test: SmokeTest,
  deadline: number,
  options: SmokeOptions,
): Promise<SmokeResult> {
  const request = `${test.method} ${test.path}`;
  const expected = expectationOf(test);
  let last: { got: string; ms: number } = { got: 'not run (smoke-timeout reached)', ms: 0 };
  let attempts = 0;
  for (let attempt = 0; attempt <= test.retries; attempt++) {
    if (attempt > 0) {
      const delay = test.retryDelayMs * 2 ** (attempt - 1);
      if (Date.now() + delay >= deadline) break;
      await sleep(delay, options.signal);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    attempts++;
    const outcome = await attemptOnce(baseUrl, test, Math.min(remaining, REQUEST_TIMEOUT_MS), options.signal);
    last = outcome;
    if (outcome.ok)
      return { name: test.name, request, expected, got: outcome.got, ok: true, ms: outcome.ms, attempts };
  }
  return { name: test.name, request, expected, got: last.got, ok: false, ms: last.ms, attempts };
}

async function attemptOnce(
  baseUrl: string,
  test: SmokeTest,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ ok: boolean; got: string; ms: number }> {
  const started = Date.now();
  const timeout = AbortSignal.timeout(timeoutMs);
  let answer: Answer;
  try {
    answer = await fetchSameOrigin(
      `${baseUrl}${test.path}`,
      {
        method: test.method,
        headers: test.headers,
        body: test.body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      },
      test.status < 300 || test.status > 399,
    );
  } catch (err) {
    signal?.throwIfAborted();
    const e = err as Error & { cause?: { code?: string } };
    const why = timeout.aborted ? `no answer within ${timeoutMs}ms` : (e.cause?.code ?? e.message);
    return { ok: false, got: why, ms: Date.now() - started };
  }
  const ms = Date.now() - started;
  if (answer.redirectTo && answer.status !== test.status) {
    const where = new URL(answer.redirectTo).origin;
    return {
      ok: false,
      got: `${answer.status} redirect to ${where} (${answer.notFollowed}, not followed)`,
      ms,
    };
  }
  const problem = checkResponse(test, answer.status, answer.body, ms);
  return problem ? { ok: false, got: problem, ms } : { ok: true, got: `${answer.status}`, ms };
}

/** What is wrong with an answer, or undefined when it meets every expectation. */
export function checkResponse(test: SmokeTest, status: number, body: string, ms: number): string | undefined {
  const excerpt = body.length > BODY_EXCERPT ? `${body.slice(0, BODY_EXCERPT)}…` : body;
  if (status !== test.status) return `${status}: ${excerpt}`;
  if (test.contains !== undefined && !body.includes(test.contains))
    return `${status} without "${test.contains}": ${excerpt}`;
  if (test.regex !== undefined && !new RegExp(test.regex).test(body))
    return `${status} not matching /${test.regex}/: ${excerpt}`;
  if (test.json.length) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return `${status} with a body that is not JSON: ${excerpt}`;
    }
    for (const [field, want] of test.json) {
      const got = field
        .split('.')
        .reduce<unknown>(
          (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
          parsed,
        );
      if (JSON.stringify(got) !== JSON.stringify(want))
        return `${status} with ${field} = ${JSON.stringify(got) ?? 'missing'}`;
    }
  }
  if (test.maxLatencyMs !== undefined && ms > test.maxLatencyMs)
    return `${status} after ${ms}ms (limit ${test.maxLatencyMs}ms)`;
  return undefined;
}
