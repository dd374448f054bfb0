/**
 * The one validation schema for settings. Every key is both an action input (kebab-case, a
 * string) and a config-file key (the same name, a YAML value of the natural type), so the
 * schema accepts the textual form of each value as well as the structured one and turns both
 * into the typed value. The config file's JSON Schema is generated from this (`npm run docs`).
 */
import * as z from 'zod';
import { BLUE_GREEN_FIELDS } from './blue-green-fields.js';
import { DEPLOY_FIELDS } from './deploy-fields.js';
import { NATIVE_FIELDS } from './native-fields.js';
import { PREVIEW_FIELDS } from './preview-fields.js';
import { RENDER_FIELDS } from './render-fields.js';
import { RUN_TASK_FIELDS } from './run-task-fields.js';
import { bool, custom, duration, durationIn, entriesOf, matching, pairs, splitList } from './zod-values.js';

export const COMMANDS = [
  'deploy',
  'register',
  'rollback',
  'preview-up',
  'preview-down',
  'preview-sweep',
  'run-task',
] as const;
export type Command = (typeof COMMANDS)[number];

const CLUSTER = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/;
const SERVICE = /^[A-Za-z0-9_-]{1,255}$/;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const CONTAINER = /^[A-Za-z0-9_-]{1,255}$/;
/**
 * An image reference as Docker and ECS read it: an optional registry host (with port), a
 * lower-case repository path, an optional tag and an optional sha256 digest.
 */
const IMAGE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** A Secrets Manager or SSM parameter ARN, or an SSM parameter name in the same region. */
export const SECRET_REF = /^(arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:.+|[A-Za-z0-9_.\-/]+)$/;

const integer = (min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
    if (!Number.isInteger(n)) return custom(ctx, `"${v}" is not a whole number`);
    if (n < min || n > max) return custom(ctx, `${n} is outside ${min}..${max}`);
    return n;
  });

/**
 * Images: `web=<uri>, worker=<uri>`, a map, or a bare URI for the main container (key `""`).
 */
/** A task size (cpu or memory): a number or a string, kept as the string ECS takes. */
const taskSize = (pattern: RegExp, expected: string) => ({
  schema: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(pattern)),
  expected,
});

const images = z.union([z.string(), z.record(z.string(), z.string())]).transform((v, ctx) => {
  if (typeof v === 'string' && !v.includes('=') && v.trim() && !/[\s,]/.test(v.trim())) {
    return [['', v.trim()]] as [string, string][];
  }
  const entries = entriesOf(v, ctx);
  if (!entries) return z.NEVER;
  for (const [container, uri] of entries) {
    if (!CONTAINER.test(container)) return custom(ctx, `"${container}" is not a container name`);
    if (uri.length > 255 || !IMAGE.test(uri)) {
      return custom(
        ctx,
        `"${uri.slice(0, 80)}" is not an image reference (\`[registry/]repository[:tag][@sha256:digest]\`, lower-case repository, at most 255 characters)`,
      );
    }
  }
  const containers = entries.map(([c]) => c);
  const dup = containers.find((c, i) => containers.indexOf(c) !== i);
  if (dup !== undefined) return custom(ctx, `container "${dup || '(main)'}" is given two images`);
  return entries;
});

const serviceEntry = z.union([
  z.string().regex(SERVICE),
  z.object({
    name: z.string().regex(SERVICE),
    cluster: z.string().regex(CLUSTER).optional(),
    'task-definition': z.string().min(1).optional(),
    container: z.string().regex(CONTAINER).optional(),
    images: images.optional(),
    'desired-count': integer(0, 10000).optional(),
  }),
]);

const services = z.union([z.string(), z.array(serviceEntry)]).transform((v, ctx) => {
  const list =
    typeof v === 'string'
      ? v
          .split(/[\n,]/)
          .map((s) => s.trim())
          .filter(Boolean)
      : v;
  const out = list.map((entry) => (typeof entry === 'string' ? { name: entry } : entry));
  for (const s of out) if (!SERVICE.test(s.name)) return custom(ctx, `"${s.name}" is not a service name`);
  const names = out.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) return custom(ctx, `service "${dup}" is listed twice`);
  return out;
});

/**
 * Every setting, keyed by its input name. `expected` is shown in every error about the key,
 * so a user sees the form to write, not only what was wrong.
 */
export const FIELDS = {
  region: matching(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as `eu-west-1`'),
  cluster: {
    schema: z
      .string()
      .regex(CLUSTER, 'not a cluster name (1 to 255 letters, digits, `-`, `_`) or cluster ARN'),
    expected: 'an ECS cluster name or ARN, e.g. `production`',
  },
  service: {
    schema: z.string().regex(SERVICE, 'not a service name (1 to 255 letters, digits, `-`, `_`)'),
    expected: 'an ECS service name (1 to 255 letters, digits, `-`, `_`)',
  },
  services: {
    schema: services,
    expected: 'service names separated by commas or new lines, or a YAML list of names or {name, images, …}',
  },
  'task-definition': {
    schema: z.string().min(1),
    expected:
      'a path to a task-definition JSON file, a family name (its latest ACTIVE revision), `family:revision`, or a task-definition ARN',
  },
  container: matching(CONTAINER, 'the name of a container in the task definition'),
  images: {
    schema: images,
    expected:
      '`container=image-uri` pairs separated by commas or new lines (e.g. `web=repo:tag, worker=repo:tag`)',
  },
  'environment-variables': {
    schema: pairs(/^([A-Za-z0-9_-]+\/)?[A-Za-z_][A-Za-z0-9_]*$/),
    expected: '`NAME=value` or `container/NAME=value` pairs, one per line',
  },
  secrets: {
    schema: pairs(/^([A-Za-z0-9_-]+\/)?[A-Za-z_][A-Za-z0-9_]*$/, SECRET_REF),
    expected:
      '`NAME=arn:aws:secretsmanager:…` or `NAME=arn:aws:ssm:…` pairs (values stay references, never secret values)',
  },
  cpu: taskSize(/^(\d+|\d+(\.\d+)? ?vCPU)$/i, 'task CPU units such as `256`, `1024` or `1 vCPU`'),
  memory: taskSize(/^(\d+|\d+(\.\d+)? ?GB)$/i, 'task memory in MiB such as `512`, or `2 GB`'),
  ...RENDER_FIELDS,
  'task-role-arn': matching(ROLE, 'an IAM role ARN `arn:aws:iam::123456789012:role/name`'),
  'execution-role-arn': matching(ROLE, 'an IAM role ARN `arn:aws:iam::123456789012:role/name`'),
  'pin-image-digests': { schema: bool, expected: '`true` or `false`' },
  'dry-run': { schema: bool, expected: '`true` or `false`' },
  'diff-environment-values': {
    schema: bool,
    expected:
      '`true` or `false` (show environment values in the task-definition diff; names that look secret stay hidden)',
  },
  strategy: {
    schema: z.enum(['rolling', 'blue-green', 'ecs-blue-green']),
    expected: '`rolling`, `blue-green` or `ecs-blue-green`',
  },
  'desired-count': { schema: integer(0, 10000), expected: 'a whole number of tasks, 0 or more' },
  'minimum-healthy-percent': { schema: integer(0, 100), expected: 'a whole percentage 0..100' },
  'maximum-percent': { schema: integer(100, 200), expected: 'a whole percentage 100..200' },
  'circuit-breaker': { schema: bool, expected: '`true` or `false`' },
  'rollback-on-failure': { schema: bool, expected: '`true` or `false`' },
  'force-new-deployment': { schema: bool, expected: '`true` or `false`' },
  'deployment-alarms': {
    schema: z
      .union([z.string(), z.array(z.string().min(1))])
      .transform(splitList)
      .pipe(
        // CloudWatch alarm names: 1 to 255 characters, no control characters.
        z.array(
          z
            .string()
            .regex(/^[^\p{Cc}]{1,255}$/u, 'an alarm name is 1 to 255 characters without control characters'),
        ),
      ),
    expected: 'CloudWatch alarm names separated by commas or new lines',
  },
  'failed-tasks-threshold': { schema: integer(1, 200), expected: 'a whole number 1..200' },
  timeout: { schema: duration, expected: 'a duration such as `30s`, `10m` or `1h`' },
  'poll-interval': { schema: durationIn('s'), expected: 'a duration such as `250ms`, `5s` or `15s`' },
  'lock-timeout': { schema: duration, expected: 'a duration such as `0s`, `5m` or `20m`' },
  'allow-superseded': { schema: bool, expected: '`true` or `false`' },
  ...DEPLOY_FIELDS,
  ...BLUE_GREEN_FIELDS,
  ...NATIVE_FIELDS,
  ...PREVIEW_FIELDS,
  ...RUN_TASK_FIELDS,
} as const;

export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** One layer of settings (the file's top level, one environment, or the inputs), all optional. */
export const layerSchema = z
  .object(
    Object.fromEntries(FIELD_NAMES.map((k) => [k, FIELDS[k].schema.optional()])) as {
      [K in FieldName]: z.ZodOptional<(typeof FIELDS)[K]['schema']>;
    },
  )
  .strict();

/** The config file: defaults at the top, and per-environment overrides under `environments`. */
export const configFileSchema = layerSchema
  .extend({
    environments: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]+$/), layerSchema)
      .optional()
      .describe(
        'Per-environment settings; the `environment` input picks one, its keys override the top level.',
      ),
  })
  .strict();

export type Layer = z.output<typeof layerSchema>;
export type ServiceEntry = z.output<typeof services>[number];
