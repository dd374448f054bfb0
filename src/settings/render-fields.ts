/**
 * Container-definition overrides beyond images, environment and secrets, for parity with the
 * official render action: Docker labels, the log configuration, the command and env files. Each
 * applies to the main container unless prefixed with another container's name.
 */
import * as z from 'zod';
import { commandList } from './run-task-fields.js';
import { custom, pairs } from './zod-values.js';

const CONTAINER = /^[A-Za-z0-9_-]{1,255}$/;
const LOG_DRIVERS = [
  'awslogs',
  'awsfirelens',
  'splunk',
  'fluentd',
  'gelf',
  'json-file',
  'journald',
  'syslog',
];
/** `arn:aws:s3:::bucket/key.env`: passed through as an `environmentFiles` entry ECS reads itself. */
export const S3_ENV_FILE = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+\.env$/;

/** `driver` for the main container, or `container=driver` lines; in the config file also a map. */
const logDriver = z.union([z.string(), z.record(z.string(), z.string())]).transform((v, ctx) => {
  const entries: [string, string][] =
    typeof v === 'string'
      ? v
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean)
          .map((l) =>
            l.includes('=')
              ? [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]
              : ['', l],
          )
      : Object.entries(v);
  for (const [container, driver] of entries) {
    if (container && !CONTAINER.test(container)) return custom(ctx, `"${container}" is not a container name`);
    if (!LOG_DRIVERS.includes(driver)) return custom(ctx, `"${driver}" is not a log driver ECS supports`);
  }
  return entries;
});

/**
 * The main container's command (a JSON array, or words split on spaces), or one
 * `container=["…"]` line per container; in the config file a list, or a map of lists.
 */
const containerCommand = z
  .union([z.string(), z.array(z.union([z.string(), z.number()])), z.record(z.string(), z.array(z.string()))])
  .transform((v, ctx): [string, string[]][] => {
    if (typeof v === 'string' && /^[A-Za-z0-9_-]+\s*=\s*\[/.test(v.trim())) {
      const out: [string, string[]][] = [];
      for (const line of v
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)) {
        const m = /^([A-Za-z0-9_-]+)\s*=\s*(\[.*\])$/.exec(line);
        if (!m) return custom(ctx, `"${line}" is not \`container=["command", "args"]\``);
        const parsed = commandList.safeParse(m[2]);
        if (!parsed.success) return custom(ctx, `${m[2]} is not a JSON array of strings`);
        out.push([m[1]!, parsed.data]);
      }
      return out;
    }
    if (!Array.isArray(v) && typeof v === 'object') return Object.entries(v);
    const parsed = commandList.safeParse(v);
    return parsed.success
      ? [['', parsed.data]]
      : custom(ctx, parsed.error.issues[0]?.message ?? 'not a command');
  });

/** `path.env` or an S3 ARN for the main container, `container=…` for another; one per line or a list. */
const envFiles = z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
  const lines = (typeof v === 'string' ? v.split(/\r?\n/) : v)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: { container: string; file: string }[] = [];
  for (const line of lines) {
    const m = /^([A-Za-z0-9_-]+)=(.+)$/.exec(line);
    const [container, file] = m && !line.startsWith('arn:') ? [m[1]!, m[2]!.trim()] : ['', line];
    if (file.startsWith('arn:') && !S3_ENV_FILE.test(file))
      return custom(ctx, `"${file}" is not an S3 object ARN of a .env file (arn:aws:s3:::bucket/key.env)`);
    out.push({ container, file });
  }
  return out;
});

export const RENDER_FIELDS = {
  'docker-labels': {
    schema: pairs(/^([A-Za-z0-9_-]+\/)?[A-Za-z0-9][A-Za-z0-9_.-]*$/),
    expected: '`key=value` (main container) or `container/key=value` Docker labels, one per line',
  },
  'log-driver': {
    schema: logDriver,
    expected: `a log driver for the main container, or \`container=driver\` lines: ${LOG_DRIVERS.join(', ')}`,
  },
  'log-options': {
    schema: pairs(/^([A-Za-z0-9_-]+\/)?[A-Za-z0-9][A-Za-z0-9_.-]*$/),
    expected:
      '`option=value` (main container) or `container/option=value` log driver options, one per line, e.g. `awslogs-group=/ecs/web`',
  },
  'container-command': {
    schema: containerCommand,
    expected:
      'the main container\'s command as a JSON array (`["npm", "start"]`) or words, or `container=["…"]` lines (config file: a list, or a map of lists)',
  },
  'env-files': {
    schema: envFiles,
    expected:
      'one per line: a `.env` file in the repository (merged into the environment) or `arn:aws:s3:::bucket/key.env` (passed through as environmentFiles), `container=…` for another container',
  },
} as const;
