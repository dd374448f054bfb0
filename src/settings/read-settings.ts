/**
 * Reads every input once, layers them over the optional config file, validates each layer
 * with the one schema and resolves the result into `Settings`. Any problem throws a
 * `SettingsError` that names the input (or file and line) and shows the expected form, before
 * the action makes a single AWS call.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type * as z from 'zod';
import { locateBaseConfig } from './base-config.js';
import { type BlueGreenSettings, resolveBlueGreen } from './blue-green.js';
import { type ConfigFile, loadConfigFile } from './config-file.js';
import { SettingsError } from './errors.js';
import { type NativeSettings, resolveNative } from './native.js';
import { resolvePreview } from './preview.js';
import { readRunContext } from './run-context.js';
import {
  COMMANDS,
  type Command,
  configFileSchema,
  FIELD_NAMES,
  FIELDS,
  type FieldName,
  type Layer,
  layerSchema,
} from './schema.js';
import type { ServiceTarget, Settings, TaskDefinitionSource } from './settings.js';

/** Input names that exist only as inputs: they choose what to do, not how. */
export const CONTROL_INPUTS = [
  'command',
  'config',
  'base-config',
  'environment',
  'to',
  'reason',
  'pull-request',
  'preview-environment',
  'github-token',
] as const;
export const ALL_INPUTS: readonly string[] = [...CONTROL_INPUTS, ...FIELD_NAMES];

export interface SettingsSources {
  /** Raw input values by input name; empty string means "not given". */
  inputs: Record<string, string>;
  /** Directory relative paths are resolved against (the workspace). */
  workspace: string;
  /** The runner's environment, for the run context (`GITHUB_*`); default: this process's. */
  env?: NodeJS.ProcessEnv;
}

const DEFAULTS = {
  pinImageDigests: true,
  dryRun: false,
  strategy: 'rolling' as const,
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  circuitBreaker: true,
  rollbackOnFailure: true,
  forceNewDeployment: false,
  timeoutMs: 30 * 60_000,
  lockTimeoutMs: 5 * 60_000,
  allowSuperseded: false,
  pollIntervalMs: 5_000,
};

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}. Known keys: ${[...FIELD_NAMES, 'environments'].join(', ')}`;
  }
  return issue.message;
}

function expectedFor(key: PropertyKey | undefined): string {
  const field = typeof key === 'string' && key in FIELDS ? FIELDS[key as FieldName] : undefined;
  return field ? ` Expected: ${field.expected}.` : '';
}

/** Inputs whose text may hold environment values, headers with tokens, or commands with secrets. */
const MAY_HOLD_SECRETS = new Set([
  'environment-variables',
  'preview-environment',
  'secrets',
  'smoke-tests',
  'smoke-command',
  'smoke-command-env',
  'github-token',
]);

function validateInputs(inputs: Record<string, string>): Layer {
  const given = Object.fromEntries(FIELD_NAMES.filter((k) => inputs[k]?.trim()).map((k) => [k, inputs[k]]));
  const result = layerSchema.safeParse(given);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path[0];
  // Inputs that may carry values or credentials are never echoed: their messages name the entry.
  const raw = typeof key === 'string' && !MAY_HOLD_SECRETS.has(key) ? given[key] : undefined;
  // A short one-line value reads well in the message; a longer one is named by its entry only.
  const value = raw !== undefined && raw.length <= 100 && !/[\r\n]/.test(raw) ? raw : undefined;
  throw new SettingsError(
    `Input "${String(key)}" is invalid${value !== undefined ? ` ("${value}")` : ''}: ${describeIssue(issue)}.${expectedFor(key)}`,
  );
}

function validateFile(file: ConfigFile, environment: string | undefined): Layer[] {
  const result = configFileSchema.safeParse(file.data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    // For an unknown key, point at the key itself rather than at the map holding it.
    const at = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const line = file.lineOf(at);
    const where = issue.path.length ? ` ("${issue.path.join('.')}")` : '';
    const field = issue.path[0] === 'environments' ? issue.path[2] : issue.path[0];
    throw new SettingsError(
      `Config file ${file.path}${line ? ` line ${line}` : ''}${where}: ${describeIssue(issue)}.${expectedFor(field)}`,
    );
  }
  const { environments, ...top } = result.data;
  if (!environment) return [top];
  const env = environments?.[environment];
  if (!env) {
    const known = Object.keys(environments ?? {});
    throw new SettingsError(
      `Input "environment": "${environment}" is not in ${file.path}. Expected one of: ${known.length ? known.join(', ') : '(the file defines no environments)'}.`,
    );
  }
  return [top, env];
}

function taskDefinitionSource(value: string | undefined, workspace: string): TaskDefinitionSource {
  if (!value) return { kind: 'service' };
  if (/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/.test(value)) {
    return { kind: 'existing', ref: value };
  }
  if (/^[A-Za-z0-9_-]{1,255}:\d+$/.test(value)) return { kind: 'existing', ref: value };
  const file = path.resolve(workspace, value);
  // A bare family name (no file of that name in the workspace) means its latest ACTIVE revision,
  // as DescribeTaskDefinition reads it.
  if (/^[A-Za-z0-9_-]{1,255}$/.test(value) && !existsSync(file)) return { kind: 'existing', ref: value };
  return { kind: 'file', path: file, display: value };
}

function parseCommand(raw: string | undefined): Command {
  const command = (raw?.trim() || 'deploy') as Command;
  if (!COMMANDS.includes(command)) {
    throw new SettingsError(
      `Input "command" is invalid ("${raw}"). Expected one of: ${COMMANDS.join(', ')}.`,
    );
  }
  return command;
}

export function readSettings({ inputs, workspace: given, env = process.env }: SettingsSources): Settings {
  const command = parseCommand(inputs.command);
  const environment = inputs.environment?.trim() || undefined;
  const run = readRunContext(env);
  const preview = command.startsWith('preview-');
  const basePath = inputs['base-config']?.trim();
  let configPath = inputs.config?.trim();
  let configFile: string | undefined = configPath ? path.resolve(given, configPath) : undefined;
  // Relative paths in settings (a task-definition file) resolve in the checkout the config came from.
  let workspace = given;
  if (basePath && !preview) {
    throw new SettingsError(
      `Input "base-config" is only read by the preview commands. Expected: "config" for command "${command}".`,
    );
  }
  if (preview && configPath) {
    throw new SettingsError(
      `Input "config" is not read by command "${command}": a pull request's own checkout could change where and with which privileges its preview runs. Expected: "base-config", the config file of a checkout of the pull request's base commit.`,
    );
  }
  if (basePath) {
    const base = locateBaseConfig(given, basePath, run.event.pullRequest?.baseSha);
    configPath = basePath;
    configFile = base.file;
    workspace = base.root;
  }
  let layers: Layer[] = [];
  if (configPath && configFile) {
    layers = validateFile(loadConfigFile(configFile, configPath), environment);
  } else if (environment) {
    throw new SettingsError(
      'Input "environment" needs a config file: set input "config" to a YAML file with an `environments:` map.',
    );
  }
  layers.push(validateInputs(inputs));
  // Later layers win: file top level < file environment < inputs.
  const s: Layer = Object.assign(
    {},
    ...layers.map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined))),
  );

  const required = (key: FieldName, why: string): never => {
    throw new SettingsError(`Input "${key}" is required ${why}.${expectedFor(key)}`);
  };

  if (s.service && s.services) {
    throw new SettingsError(
      'Inputs "service" and "services" are both set. Expected: one service in "service", or a list in "services".',
    );
  }
  const entries = s.services ?? (s.service ? [{ name: s.service }] : []);
  const taskDefinition = taskDefinitionSource(s['task-definition'], workspace);

  if (command === 'register') {
    if (taskDefinition.kind === 'existing') {
      throw new SettingsError(
        `Input "task-definition" ("${s['task-definition']}") names an existing revision; command "register" needs a JSON file, or no value to start from the live service. Expected: ${FIELDS['task-definition'].expected}.`,
      );
    }
    if (taskDefinition.kind === 'service') {
      if (!s.cluster)
        required('cluster', 'when "task-definition" is not given (the live service\'s definition is used)');
      if (entries.length === 0)
        required('service', 'when "task-definition" is not given (the live service\'s definition is used)');
    }
  } else if (command === 'run-task') {
    if (!s.cluster) required('cluster', 'for command "run-task"');
    if (entries.length > 1) {
      throw new SettingsError(
        'Input "services" lists several services; command "run-task" runs one task. Expected: one service in "service" (whose network configuration the task uses).',
      );
    }
    if (entries.length === 0 && !s.subnets?.length)
      required(
        'service',
        'for command "run-task" unless "subnets" is set (the task uses the service\'s network configuration)',
      );
    if (entries.length === 0 && taskDefinition.kind === 'service')
      required('task-definition', 'for command "run-task" without a service');
  } else {
    if (!s.cluster) required('cluster', `for command "${command}"`);
    if (entries.length === 0 && command !== 'preview-sweep') required('service', `for command "${command}"`);
  }
  if (taskDefinition.kind === 'file' && !existsSync(taskDefinition.path)) {
    throw new SettingsError(
      `Input "task-definition": file ${s['task-definition']} does not exist. Expected: ${FIELDS['task-definition'].expected}.`,
    );
  }

  if (s.timeout !== undefined && s.timeout <= 0) {
    throw new SettingsError(`Input "timeout" must be longer than 0.${expectedFor('timeout')}`);
  }
  if (s['poll-interval'] !== undefined && s['poll-interval'] <= 0) {
    throw new SettingsError(`Input "poll-interval" must be longer than 0.${expectedFor('poll-interval')}`);
  }

  const envFiles = s['env-files'] ?? [];
  const overrides = {
    images: s.images ?? [],
    // Local .env files first, so `environment-variables` wins over a file's value.
    environment: [...readEnvFiles(envFiles, workspace), ...(s['environment-variables'] ?? [])],
    environmentFiles: envFiles
      .filter((f) => f.file.startsWith('arn:'))
      .map((f) => [f.container, f.file] as [string, string]),
    dockerLabels: s['docker-labels'],
    logDriver: s['log-driver'],
    logOptions: s['log-options'],
    command: s['container-command'],
    secrets: s.secrets ?? [],
    cpu: s.cpu,
    memory: s.memory,
    taskRoleArn: s['task-role-arn'],
    executionRoleArn: s['execution-role-arn'],
    container: s.container,
  };
  // A one-off task of a blue-green pair runs in the network of the pair's blue service: both
  // colours share it (the idle one is created from the live one's), and `<service>` itself is
  // no ECS service then.
  const serviceOf = (name: string) =>
    command === 'run-task' && s.strategy === 'blue-green' ? (s['blue-service'] ?? `${name}-blue`) : name;
  const targets: ServiceTarget[] = entries.map((e) => ({
    cluster: e.cluster ?? s.cluster ?? '',
    service: serviceOf(e.name),
    taskDefinition: e['task-definition']
      ? taskDefinitionSource(e['task-definition'], workspace)
      : taskDefinition,
    overrides: {
      ...overrides,
      images: e.images ?? overrides.images,
      container: e.container ?? overrides.container,
    },
    desiredCount: e['desired-count'] ?? s['desired-count'],
    diffEnvironmentValues: s['diff-environment-values'],
  }));
  if (targets.length === 0) {
    // `register` from a file needs no service: the target carries only the definition.
    targets.push({
      cluster: s.cluster ?? '',
      service: '',
      taskDefinition,
      overrides,
      desiredCount: s['desired-count'],
      diffEnvironmentValues: s['diff-environment-values'],
    });
  }

  const reason = inputs.reason?.trim() ?? '';
  if (command === 'rollback' && !reason) {
    throw new SettingsError(
      'Input "reason" is required for command "rollback". Expected: a short sentence saying why, e.g. `checkout errors after 1.4.2`.',
    );
  }
  const to = inputs.to?.trim() || 'previous';
  if (
    !/^(previous|\d+|[A-Za-z0-9_-]{1,255}:\d+|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+)$/.test(
      to,
    )
  ) {
    throw new SettingsError(
      `Input "to" is invalid ("${to}"). Expected: \`previous\`, a revision number, \`family:revision\`, or a task-definition ARN.`,
    );
  }

  const common = {
    environment,
    region: s.region,
    targets,
    pinImageDigests: s['pin-image-digests'] ?? DEFAULTS.pinImageDigests,
    dryRun: s['dry-run'] ?? DEFAULTS.dryRun,
    rolling: {
      minimumHealthyPercent: s['minimum-healthy-percent'] ?? DEFAULTS.minimumHealthyPercent,
      maximumPercent: s['maximum-percent'] ?? DEFAULTS.maximumPercent,
      circuitBreaker: s['circuit-breaker'] ?? DEFAULTS.circuitBreaker,
      rollbackOnFailure: s['rollback-on-failure'] ?? DEFAULTS.rollbackOnFailure,
      forceNewDeployment: s['force-new-deployment'] ?? DEFAULTS.forceNewDeployment,
      deploymentAlarms: s['deployment-alarms'] ?? [],
      failedTasksThreshold: s['failed-tasks-threshold'],
      wait: s.wait ?? true,
      enableEcsManagedTags: s['enable-ecs-managed-tags'],
      propagateTags: s['propagate-tags'],
      ebsVolume: s['ebs-volume'],
    },
    timeoutMs: s.timeout ?? DEFAULTS.timeoutMs,
    pollIntervalMs: s['poll-interval'] ?? DEFAULTS.pollIntervalMs,
    lockTimeoutMs: s['lock-timeout'] ?? DEFAULTS.lockTimeoutMs,
    allowSuperseded: s['allow-superseded'] ?? DEFAULTS.allowSuperseded,
    run,
  };
  const strategy = s.strategy ?? DEFAULTS.strategy;
  if (s.wait === false && (command !== 'deploy' || strategy === 'blue-green')) {
    throw new SettingsError(
      `Input "wait" is false, but ${command === 'deploy' ? 'a blue-green release moves traffic only after watching the new side' : `command "${command}" always waits`}. Expected: \`wait: false\` only with a rolling deploy.`,
    );
  }
  const blueGreen = (): BlueGreenSettings =>
    resolveBlueGreen(
      s,
      entries.map((e) => e.name),
    );
  const native = (): NativeSettings =>
    resolveNative(
      s,
      entries.map((e) => e.name),
    );
  switch (command) {
    case 'register':
      return { ...common, command };
    case 'deploy':
      if (strategy === 'ecs-blue-green') return { ...common, command, strategy, native: native() };
      return strategy === 'blue-green'
        ? { ...common, command, strategy, blueGreen: blueGreen() }
        : { ...common, command, strategy };
    case 'rollback': {
      const rollback = { to, reason };
      if (strategy === 'ecs-blue-green') return { ...common, command, strategy, rollback, native: native() };
      return strategy === 'blue-green'
        ? { ...common, command, strategy, rollback, blueGreen: blueGreen() }
        : { ...common, command, strategy, rollback };
    }
    case 'preview-up':
    case 'preview-down':
    case 'preview-sweep':
      return { ...common, command, preview: resolvePreview(s, inputs, command) };
    case 'run-task':
      return {
        ...common,
        command,
        runTask: {
          command: s['run-command'],
          environment: s['run-environment'] ?? [],
          startedBy: s['started-by'] ?? 'deploy-action',
          subnets: s.subnets,
          securityGroups: s['security-groups'],
          assignPublicIp: s['assign-public-ip'],
          launchType: s['launch-type'],
        },
      };
  }
}

/**
 * The variables of the local `.env` files of `env-files`, as `[container/]NAME` pairs in file
 * order. Values are read here and never shown: errors name the file and line only.
 */
function readEnvFiles(files: { container: string; file: string }[], workspace: string): [string, string][] {
  const out: [string, string][] = [];
  for (const { container, file } of files) {
    if (file.startsWith('arn:')) continue;
    const full = path.resolve(workspace, file);
    if (!existsSync(full))
      throw new SettingsError(`Input "env-files": file ${file} does not exist.${expectedFor('env-files')}`);
    const text = readFileSync(full, 'utf8');
    const bad = text
      .split(/\r?\n/)
      .findIndex(
        (l) =>
          l.trim() && !l.trim().startsWith('#') && !/^(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/.test(l.trim()),
      );
    if (bad >= 0)
      throw new SettingsError(
        `Input "env-files": ${file} line ${bad + 1} is not \`NAME=value\`.${expectedFor('env-files')}`,
      );
    for (const [name, value] of Object.entries(parseEnv(text.replace(/^\s*export\s+/gm, ''))))
      out.push([container ? `${container}/${name}` : name, value ?? '']);
  }
  return out;
}
