/**
 * The typed settings every command receives. Built once by `readSettings` from the action
 * inputs and the optional config file; nothing else in the action reads inputs.
 */
import type { BlueGreenSettings } from './blue-green.js';
import type { EbsVolumeSetting } from './deploy-fields.js';
import type { NativeSettings } from './native.js';
import type { PreviewSettings } from './preview.js';
import type { Command, ServiceEntry } from './schema.js';

export type Pairs = [string, string][];

export type TaskDefinitionSource =
  /** A JSON file in the repository. */
  | { kind: 'file'; path: string; display: string }
  /** An already registered revision (`family:revision` or ARN), deployed as is. */
  | { kind: 'existing'; ref: string }
  /** The definition the live service runs now, re-rendered with the overrides. */
  | { kind: 'service' };

export interface Overrides {
  /** Container name → image URI; the key `""` means the main container. */
  images: Pairs;
  /** `[container/]NAME` → value. */
  environment: Pairs;
  /** `[container/]NAME` → Secrets Manager / SSM reference. */
  secrets: Pairs;
  cpu?: string;
  memory?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  /** The container that unprefixed overrides apply to (default: the first container). */
  container?: string;
  /** `[container/]key` → Docker label value. */
  dockerLabels?: Pairs;
  /** Container (`""`: the main one) → log driver. */
  logDriver?: Pairs;
  /** `[container/]option` → log driver option value. */
  logOptions?: Pairs;
  /** Container (`""`: the main one) → command. */
  command?: [string, string[]][];
  /** S3 `.env` object ARNs per container (`""`: the main one), passed through as `environmentFiles`. */
  environmentFiles?: Pairs;
}

export interface ServiceTarget {
  cluster: string;
  service: string;
  taskDefinition: TaskDefinitionSource;
  overrides: Overrides;
  desiredCount?: number;
  /** Show environment values in the task-definition diff (never for names that look secret). */
  diffEnvironmentValues?: boolean;
}

export interface RollingSettings {
  minimumHealthyPercent: number;
  maximumPercent: number;
  circuitBreaker: boolean;
  rollbackOnFailure: boolean;
  forceNewDeployment: boolean;
  deploymentAlarms: string[];
  /** Fail as soon as a deployment has this many consecutive failed tasks (before ECS's own threshold). */
  failedTasksThreshold?: number;
  /** False: start the deployments and report their ids without watching them. */
  wait: boolean;
  enableEcsManagedTags?: boolean;
  propagateTags?: 'SERVICE' | 'TASK_DEFINITION' | 'NONE';
  /** The service-managed EBS volume of a volume `configuredAtLaunch`. */
  ebsVolume?: EbsVolumeSetting;
}

/**
 * Who runs the action: the repository, commit and run from the runner's environment
 * (`GITHUB_*`). Read once by `readSettings`, so nothing below settings reads the environment.
 */
export interface RunContext {
  /** `owner/name`, when the runner says (`GITHUB_REPOSITORY`). */
  repository?: string;
  /** The commit the run is for (`GITHUB_SHA`). */
  sha?: string;
  runId?: string;
  runAttempt?: string;
  /** Who started the run (`GITHUB_ACTOR`). */
  actor?: string;
  /** `https://github.com`, or the GitHub Enterprise Server address. */
  serverUrl: string;
  eventName?: string;
  /** What the event that started the workflow says about a pull request. */
  event: { number?: number; pullRequest?: { number?: number; headSha?: string; baseSha?: string } };
}

/** What every command has: the services it acts on and how long and how often to wait for AWS. */
interface CommonSettings {
  /** Name of the environment picked from the config file, if any. */
  environment?: string;
  region?: string;
  /** One entry per service to act on; `service` gives one, `services` several. */
  targets: ServiceTarget[];
  pinImageDigests: boolean;
  dryRun: boolean;
  /** How ECS deployments are configured and judged (also the blue-green idle side's). */
  rolling: RollingSettings;
  timeoutMs: number;
  pollIntervalMs: number;
  /** How long to wait for another release's lock before giving up. */
  lockTimeoutMs: number;
  /** Whether a deployment that a newer one replaced passes the step (it is never rolled back). */
  allowSuperseded: boolean;
  run: RunContext;
  // Absent unless the command is a blue-green one, or a preview one: the other variants say so.
  blueGreen?: undefined;
  native?: undefined;
  preview?: undefined;
}

export interface RegisterSettings extends CommonSettings {
  command: 'register';
}

export interface RollingDeploySettings extends CommonSettings {
  command: 'deploy';
  strategy: 'rolling';
}

export interface BlueGreenDeploySettings extends Omit<CommonSettings, 'blueGreen'> {
  command: 'deploy';
  strategy: 'blue-green';
  blueGreen: BlueGreenSettings;
}

export interface NativeDeploySettings extends Omit<CommonSettings, 'native'> {
  command: 'deploy';
  strategy: 'ecs-blue-green';
  native: NativeSettings;
}

/** `command: rollback`: the target (`previous`, a revision, `family:revision`, ARN) and why. */
export interface RollbackTarget {
  to: string;
  reason: string;
}

export interface RollingRollbackSettings extends CommonSettings {
  command: 'rollback';
  strategy: 'rolling';
  rollback: RollbackTarget;
}

export interface BlueGreenRollbackSettings extends Omit<CommonSettings, 'blueGreen'> {
  command: 'rollback';
  strategy: 'blue-green';
  rollback: RollbackTarget;
  blueGreen: BlueGreenSettings;
}

export interface NativeRollbackSettings extends Omit<CommonSettings, 'native'> {
  command: 'rollback';
  strategy: 'ecs-blue-green';
  rollback: RollbackTarget;
  native: NativeSettings;
}

interface PreviewCommon extends Omit<CommonSettings, 'preview'> {
  preview: PreviewSettings;
}

export interface PreviewUpSettings extends PreviewCommon {
  command: 'preview-up';
}

export interface PreviewDownSettings extends PreviewCommon {
  command: 'preview-down';
}

export interface PreviewSweepSettings extends PreviewCommon {
  command: 'preview-sweep';
}

/** `command: run-task`: a one-off task from the rendered definition, placed like the service's tasks. */
export interface RunTaskOptions {
  /** The main container's command for this task (the definition's when absent). */
  command?: string[];
  /** `[container/]NAME` → value, added to the containers' environment for this task only. */
  environment: Pairs;
  startedBy: string;
  /** Placement: given here, or read from the service. */
  subnets?: string[];
  securityGroups?: string[];
  assignPublicIp?: boolean;
  launchType?: 'FARGATE' | 'EC2';
}

export interface RunTaskSettings extends CommonSettings {
  command: 'run-task';
  runTask: RunTaskOptions;
}

export type DeploySettings = RollingDeploySettings | BlueGreenDeploySettings | NativeDeploySettings;
export type RollbackSettings = RollingRollbackSettings | BlueGreenRollbackSettings | NativeRollbackSettings;

/** One variant per command (and strategy): each command receives only what it uses. */
export type Settings =
  | RegisterSettings
  | DeploySettings
  | RollbackSettings
  | PreviewUpSettings
  | PreviewDownSettings
  | PreviewSweepSettings
  | RunTaskSettings;

/** The settings of one command. */
export type SettingsOf<C extends Command> = Extract<Settings, { command: C }>;

export type { ServiceEntry };
