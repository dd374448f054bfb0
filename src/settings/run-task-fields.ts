/**
 * Settings of `command: run-task` (one-off tasks such as database migrations), kept beside the
 * main schema like the blue-green and preview keys. Spread into `FIELDS`: every key is an action
 * input and a config-file key.
 */
import * as z from 'zod';
import { bool, custom, entriesOf, matching, splitList } from './zod-values.js';

const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8,17}$/;
const ENV_NAME = /^([A-Za-z0-9_-]+\/)?[A-Za-z_][A-Za-z0-9_]*$/;

const list = z.union([z.string(), z.array(z.string())]).transform(splitList);

const ids = (pattern: RegExp, what: string) =>
  list.transform((v, ctx) => {
    const bad = v.find((id) => !pattern.test(id));
    return bad === undefined ? v : custom(ctx, `"${bad}" is not a ${what} id`);
  });

/**
 * A container command: a JSON array (`["sh", "-c", "npm run migrate"]`), a YAML list, or words
 * split on spaces (`npm run migrate`), like the `command` of a container definition.
 */
export const commandList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((v, ctx) => {
    if (Array.isArray(v)) return v.map(String);
    const text = v.trim();
    if (text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return custom(ctx, `${text} is not a JSON array of strings`);
      }
      if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string'))
        return custom(ctx, `${text} is not a JSON array of strings`);
      return parsed as string[];
    }
    const words = text.split(/\s+/).filter(Boolean);
    return words.length ? words : custom(ctx, 'the command is empty');
  });

export const RUN_TASK_FIELDS = {
  'run-command': {
    schema: commandList,
    expected:
      'run-task: the command of the main container, a JSON array such as `["npm", "run", "migrate"]` (or words split on spaces; in the config file a YAML list)',
  },
  'run-environment': {
    schema: z
      .union([z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))])
      .transform((v, ctx) => {
        const entries = entriesOf(v, ctx);
        if (!entries) return z.NEVER;
        const bad = entries.find(([k]) => !ENV_NAME.test(k));
        return bad ? custom(ctx, `"${bad[0]}" is not a valid name`) : entries;
      }),
    expected:
      'run-task: `NAME=value` (main container) or `container/NAME=value` pairs, one per line, added for this task only',
  },
  'started-by': matching(
    /^[A-Za-z0-9_/-]{1,128}$/,
    "run-task: up to 128 letters, digits, `-`, `_` and `/` (the task's `startedBy`), e.g. `migrations`",
  ),
  subnets: {
    schema: ids(SUBNET, 'subnet'),
    expected:
      "run-task: subnet ids separated by commas (default: the service's), e.g. `subnet-0123456789abcdef0`",
  },
  'security-groups': {
    schema: ids(SECURITY_GROUP, 'security group'),
    expected: "run-task: security group ids separated by commas (default: the service's)",
  },
  'assign-public-ip': {
    schema: bool,
    expected: 'run-task: `true` or `false` (default: as the service, else false)',
  },
  'launch-type': {
    schema: z.enum(['FARGATE', 'EC2']),
    expected:
      "run-task: `FARGATE` or `EC2` (default: the service's launch type or capacity provider strategy)",
  },
} as const;
