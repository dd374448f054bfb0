/**
 * Settings of the pull-request preview commands (`preview-up`, `preview-down`,
 * `preview-sweep`), kept beside the main schema so the preview feature owns its keys. Spread
 * into `FIELDS`: every key is an action input and a config-file key like any other. Smoke
 * tests reuse `smoke-tests` and `smoke-timeout`; sizes reuse `cpu`, `memory`, `desired-count`,
 * `images` and `environment-variables`.
 */
import * as z from 'zod';
import { durationProblem, parseDuration } from './values.js';
import { custom, matching, pairs } from './zod-values.js';

const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** A Secrets Manager or SSM parameter ARN, or an SSM parameter name in the same region. */
const SECRET_REF = /^(arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:.+|[A-Za-z0-9_.\-/]+)$/;

const LISTENER =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[\w-]+\/[0-9a-f]+\/[0-9a-f]+$/;
/** DNS labels of letters, digits and inner hyphens, at least two labels, lower case. */
const DOMAIN = /^(?=.{1,120}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** An environment variable name, as the task definition's `environment` takes it. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names separated by commas or new lines, or a YAML list. */
const envNames = z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
  const names = (typeof v === 'string' ? v.split(/[\n,]/) : v).map((n) => n.trim()).filter(Boolean);
  const bad = names.find((n) => !ENV_NAME.test(n));
  return bad === undefined ? names : custom(ctx, `"${bad}" is not an environment variable name`);
});

const ttl = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) return custom(ctx, durationProblem(v, 'h'));
  return ms <= 0 ? custom(ctx, `"${v}" is not a duration longer than 0`) : ms;
});

/** `from-to`, both rule priorities 1..50000, from ≤ to. */
const priorityRange = z.string().transform((v, ctx) => {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(v);
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from < 1 || to > 50_000 || from > to) return custom(ctx, `"${v}" is not a range within 1-50000`);
  return { from, to };
});

export const PREVIEW_FIELDS = {
  'preview-listener': matching(
    LISTENER,
    'previews: the ARN of the shared preview listener (`arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<id>/<id>`) that gets one rule per pull request',
  ),
  'preview-domain': {
    schema: z
      .string()
      .transform((v) => v.trim().toLowerCase())
      .pipe(z.string().regex(DOMAIN)),
    expected:
      'previews: the domain previews live under, lower-case DNS labels such as `preview.example.com` (pull request 12 is served at `pr-12.preview.example.com`)',
  },
  'preview-routing': {
    schema: z.enum(['host', 'path']),
    expected: '`host` (`pr-12.<domain>`) or `path` (`<domain>/pr-12/`)',
  },
  'preview-test-url': matching(
    /^https?:\/\/[^\s/]+\/?$/,
    "previews: the preview listener's own address, e.g. `http://internal-preview-123.eu-west-1.elb.amazonaws.com`, that smoke tests connect to instead of resolving the preview host name (the preview's host name is still sent)",
  ),
  'preview-task-role-arn': matching(
    ROLE,
    "previews: the IAM role preview tasks run as (`arn:aws:iam::123456789012:role/name`); without it a preview has no task role — never the base service's",
  ),
  'preview-execution-role-arn': matching(
    ROLE,
    "previews: the execution role that pulls preview images and writes their logs (`arn:aws:iam::123456789012:role/name`); without it a preview has none — never the base service's",
  ),
  'preview-secrets': {
    schema: pairs(/^([A-Za-z0-9_-]+\/)?[A-Za-z_][A-Za-z0-9_]*$/, SECRET_REF),
    expected:
      "previews: `NAME=arn:aws:secretsmanager:…` or `NAME=arn:aws:ssm:…` references, one per line, the only secrets a preview gets (never the base service's)",
  },
  'preview-allowed-environment': {
    schema: envNames,
    expected:
      'previews: the environment variable names a pull request may set for its own preview through input `preview-environment`, separated by commas or new lines or a YAML list (e.g. `[FEATURE_FLAG, LOG_LEVEL]`); without it a pull request sets none',
  },
  'preview-ttl': {
    schema: ttl,
    expected:
      'previews: how long a preview may live after its last update before the sweep removes it, e.g. `72h`',
  },
  'preview-priority-range': {
    schema: priorityRange,
    expected:
      'previews: the listener rule priorities previews may take, `from-to` within 1-50000, e.g. `1000-1999`',
  },
} as const;
