/**
 * Settings of `strategy: blue-green`, kept beside the main schema so that the blue-green
 * release owns its own keys. Spread into `FIELDS`: every key is an action input and a config
 * file key like any other.
 */
import * as z from 'zod';
import { type DurationUnit, durationProblem, parseDuration } from './values.js';
import { bool, custom, duration, durationIn, matching } from './zod-values.js';

const LISTENER_OR_RULE =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:(listener|listener-rule)\/app\/[\w-]+\/[0-9a-f]+\/[0-9a-f]+(\/[0-9a-f]+)?$/;
const TARGET_GROUP =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[\w-]{1,32}\/[0-9a-f]+$/;
const SERVICE = /^[A-Za-z0-9_-]{1,255}$/;
const ALARM_NAME = /^[^\s,][^,\n]{0,254}$/;

const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === 'string' ? v.split(/[\n,]/) : v).map((s) => s.trim()).filter(Boolean));

/**
 * `all-at-once`, `canary 10%` (10 % then the rest), `linear 25%` (25, 50, 75, 100) or explicit
 * percentages `10%, 50%, 100%`. Returns the share of production traffic the new side gets at
 * each step; the last step is always 100.
 */
export function parseTrafficSteps(text: string): number[] | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'all-at-once') return [100];
  const canary = /^canary\s+(\d{1,2})\s*%$/.exec(t);
  if (canary) {
    const p = Number(canary[1]);
    return p > 0 && p < 100 ? [p, 100] : undefined;
  }
  const linear = /^linear\s+(\d{1,2})\s*%$/.exec(t);
  if (linear) {
    const p = Number(linear[1]);
    if (!(p > 0 && p < 100)) return undefined;
    const steps: number[] = [];
    for (let s = p; s < 100; s += p) steps.push(s);
    return [...steps, 100];
  }
  const parts = t.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || !parts.every((p) => /^\d{1,3}%$/.test(p))) return undefined;
  const steps = parts.map((p) => Number(p.slice(0, -1)));
  const increasing = steps.every((s, i) => s > 0 && s <= 100 && (i === 0 || s > steps[i - 1]!));
  return increasing && steps[steps.length - 1] === 100 ? steps : undefined;
}

const trafficSteps = z.union([z.string(), z.array(z.union([z.string(), z.number()]))]).transform((v, ctx) => {
  const text = typeof v === 'string' ? v : v.map((s) => (typeof s === 'number' ? `${s}%` : s)).join(',');
  return parseTrafficSteps(text) ?? custom(ctx, `"${text}" is not a traffic plan`);
});

/** One HTTP check against the idle side, in the config file's structured form. */
const smokeTestObject = z
  .object({
    name: z.string().optional(),
    method: z
      .string()
      .regex(
        /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/i,
        'the method is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      )
      .optional(),
    path: z.string().startsWith('/'),
    headers: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
    status: z.union([z.number().int(), z.string().regex(/^\d{3}$/)]).optional(),
    contains: z.string().optional(),
    regex: z.string().optional(),
    json: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    'max-latency': z.union([z.string(), z.number()]).optional(),
    retries: z.number().int().min(0).max(20).optional(),
    'retry-delay': z.union([z.string(), z.number()]).optional(),
  })
  .strict();

export interface SmokeTest {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  status: number;
  contains?: string;
  regex?: string;
  /** Dotted JSON path → expected value (compared as JSON). */
  json: [string, unknown][];
  maxLatencyMs?: number;
  retries: number;
  retryDelayMs: number;
}

const DEFAULT_RETRIES = 2;
const DEFAULT_RETRY_DELAY_MS = 1_000;

function toSmokeTest(o: z.output<typeof smokeTestObject>, ctx: z.RefinementCtx): SmokeTest {
  const method = (o.method ?? 'GET').toUpperCase();
  const duration = (v: string | number | undefined, key: string, likelyUnit: DurationUnit) => {
    if (v === undefined) return undefined;
    const ms = parseDuration(v);
    return ms === undefined ? custom(ctx, `${key} ${durationProblem(v, likelyUnit)}`) : ms;
  };
  if (o.regex !== undefined) {
    try {
      new RegExp(o.regex);
    } catch {
      custom(ctx, `regex "${o.regex}" is not a regular expression`);
    }
  }
  return {
    name: o.name ?? `${method} ${o.path}`,
    method,
    path: o.path,
    headers: Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k, String(v)])),
    body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
    status: o.status === undefined ? 200 : Number(o.status),
    contains: o.contains,
    regex: o.regex,
    json: Object.entries(o.json ?? {}),
    maxLatencyMs: duration(o['max-latency'], 'max-latency', 'ms'),
    retries: o.retries ?? DEFAULT_RETRIES,
    retryDelayMs: duration(o['retry-delay'], 'retry-delay', 's') ?? DEFAULT_RETRY_DELAY_MS,
  };
}

/**
 * The compact input form, one check per line:
 * `GET /health 200`, `GET /api/version 200 json:version=v2 max-latency:500ms`,
 * `POST /api/echo 201 header:Content-Type=application/json body:{"a":1} contains:ok retries:3`.
 * Tokens after the path: a status code, then `key:value` options (no spaces inside a value).
 */
export function parseSmokeLine(line: string): z.input<typeof smokeTestObject> | string {
  const [method, path, ...rest] = line.trim().split(/\s+/);
  // Only the first two tokens are shown: later ones may be headers carrying tokens.
  if (!method || !path?.startsWith('/'))
    return `"${[method, path].filter(Boolean).join(' ')}" does not start with a method and a /path`;
  const out: z.input<typeof smokeTestObject> = { method, path };
  for (const token of rest) {
    if (/^\d{3}$/.test(token)) {
      out.status = Number(token);
      continue;
    }
    const colon = token.indexOf(':');
    const key = colon > 0 ? token.slice(0, colon) : '';
    const value = token.slice(colon + 1);
    const eq = value.indexOf('=');
    switch (key) {
      case 'header':
        if (eq <= 0) return `a header option needs header:Name=value`;
        out.headers = { ...out.headers, [value.slice(0, eq)]: value.slice(eq + 1) };
        break;
      case 'json':
        if (eq <= 0) return `"${token}" needs json:field=value`;
        out.json = { ...out.json, [value.slice(0, eq)]: jsonValue(value.slice(eq + 1)) };
        break;
      case 'body':
      case 'contains':
      case 'regex':
      case 'max-latency':
      case 'retry-delay':
      case 'name':
        out[key] = value;
        break;
      case 'retries':
        out.retries = Number(value);
        break;
      default:
        return `"${token}" is not a status code or a known option (header:, body:, contains:, regex:, json:, max-latency:, retries:, retry-delay:, name:)`;
    }
  }
  return out;
}

/** `json:count=3` compares with the number 3, `json:ok=true` with true, anything else as text. */
function jsonValue(text: string): string | number | boolean | null {
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v))
      return v as string | number | boolean | null;
  } catch {
    // Not JSON: compare as text.
  }
  return text;
}

const smokeTests = z.union([z.string(), z.array(z.unknown())]).transform((v, ctx) => {
  const raw: unknown[] = [];
  if (typeof v === 'string') {
    for (const line of v.split('\n')) {
      if (!line.trim() || line.trim().startsWith('#')) continue;
      const parsed = parseSmokeLine(line);
      if (typeof parsed === 'string') return custom(ctx, parsed);
      raw.push(parsed);
    }
  } else raw.push(...v);
  const tests: SmokeTest[] = [];
  for (const [i, item] of raw.entries()) {
    const r = smokeTestObject.safeParse(item);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      return custom(
        ctx,
        `check ${i + 1}${issue.path.length ? ` (${issue.path.join('.')})` : ''}: ${issue.message}`,
      );
    }
    tests.push(toSmokeTest(r.data, ctx));
  }
  return tests;
});

const percent = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : Number(v.trim().replace(/%$/, ''));
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : custom(ctx, `"${v}" is not a percentage 0..100`);
});

export const BLUE_GREEN_FIELDS = {
  listener: matching(
    LISTENER_OR_RULE,
    'blue-green: the production listener ARN or listener rule ARN whose forward action weights the two target groups',
  ),
  'test-listener': matching(
    LISTENER_OR_RULE,
    'blue-green: a listener ARN or listener rule ARN (e.g. a header rule) that is pointed at the idle side for smoke tests',
  ),
  'test-url': matching(
    /^https?:\/\/[^\s/]+(\/[^\s]*)?$/,
    'blue-green: the base URL smoke tests call to reach the test listener, e.g. `https://test.example.com:8443`',
  ),
  'blue-service': matching(SERVICE, 'blue-green: the blue ECS service name (default `<service>-blue`)'),
  'green-service': matching(SERVICE, 'blue-green: the green ECS service name (default `<service>-green`)'),
  'blue-target-group': matching(
    TARGET_GROUP,
    "blue-green: the blue target group ARN (default: the blue service's load balancer target group)",
  ),
  'green-target-group': matching(
    TARGET_GROUP,
    "blue-green: the green target group ARN (default: the green service's load balancer target group)",
  ),
  'traffic-steps': {
    schema: trafficSteps,
    expected:
      '`all-at-once`, `canary 10%`, `linear 25%`, or increasing percentages ending at 100 (`10%, 50%, 100%`)',
  },
  'step-pause': {
    schema: duration,
    expected: 'a duration such as `30s` or `5m` (wait between traffic steps)',
  },
  'bake-time': {
    schema: duration,
    expected: 'a duration such as `10m` (alarm watch after all traffic moved)',
  },
  'scale-down-delay': {
    schema: duration,
    expected: 'a duration such as `0s` or `15m` (old side kept running for instant rollback after the bake)',
  },
  alarms: {
    schema: list.pipe(z.array(z.string().regex(ALARM_NAME))),
    expected:
      'CloudWatch alarm names separated by commas or new lines; a name ending in `*` watches every alarm with that prefix',
  },
  'proceed-on-alarm': {
    schema: bool,
    expected: '`true` or `false` (start a release although a watched alarm is in ALARM)',
  },
  'smoke-tests': {
    schema: smokeTests,
    expected:
      'one check per line, `METHOD /path [status] [option:value …]` (options header:, body:, contains:, regex:, json:field=value, max-latency:, retries:, retry-delay:), or in the config file a YAML list of {method, path, headers, body, status, contains, regex, json, max-latency, retries, retry-delay}',
  },
  'smoke-command': {
    schema: z.string().min(1),
    expected:
      'a shell command, e.g. `npm run e2e`, run in the workspace with the test URL in `TEST_URL`; exit 0 passes',
  },
  'smoke-command-env': {
    schema: z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
      const names = (typeof v === 'string' ? v.split(/[\n,]/) : v).map((n) => n.trim()).filter(Boolean);
      for (const n of names) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) return custom(ctx, `"${n}" is not a variable name`);
        // The job's AWS credentials and its OIDC token request never reach the command.
        if (/^(AWS_|ACTIONS_)/.test(n)) return custom(ctx, `${n} carries the job's credentials`);
      }
      return names;
    }),
    expected:
      'names of environment variables the smoke command may see besides PATH, HOME and TEST_URL, separated by commas or new lines (never AWS_* or ACTIONS_*)',
  },
  'route-settle': {
    schema: duration,
    expected:
      'a duration such as `10s` (wait after a listener change: before smoke tests go through a moved test listener, and before a rollback reports production traffic restored)',
  },
  'smoke-timeout': { schema: duration, expected: 'a duration such as `2m` (all smoke tests together)' },
  'max-5xx-rate': {
    schema: percent,
    expected:
      "a percentage such as `1` or `0.5%` of the new target group's requests answered 5xx during a step's pause or the bake",
  },
  'max-p95-latency': {
    schema: durationIn('ms'),
    expected:
      "a duration such as `500ms` (new target group's p95 response time during a step's pause or the bake; `0` turns it off)",
  },
  'metric-wait': {
    schema: duration,
    expected:
      "a duration such as `5m` (how long a gated step may wait after its pause for one complete, published minute of the new side's traffic)",
  },
  'metric-no-data': {
    schema: z.enum(['fail', 'pass', 'fail-if-traffic']),
    expected:
      "`fail-if-traffic` (no data fails the step when the live side served requests meanwhile), `fail` or `pass` (what a gated step does without one published minute of the new side's traffic)",
  },
} as const;
