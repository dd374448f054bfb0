/**
 * The typed settings every command receives. Built once by `readSettings` from the action
 * inputs and the optional config file; nothing else in the action reads inputs.
 */
import type { BlueGreenSettings } from './blue-green.js';
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
}

export interface ServiceTarget {
  cluster: string;
  service: string;
  taskDefinition: TaskDefinitionSource;
  overrides: Overrides;
  desiredCount?: number;
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
}

export interface Settings {
  command: Command;
  /** Name of the environment picked from the config file, if any. */
  environment?: string;
  region?: string;
  /** `command: rollback`: the target (`previous`, a revision, `family:revision`, ARN) and why. */
  rollback: { to: string; reason?: string };
  /** One entry per service to act on; `service` gives one, `services` several. */
  targets: ServiceTarget[];
  pinImageDigests: boolean;
  dryRun: boolean;
  strategy: 'rolling' | 'blue-green';
  rolling: RollingSettings;
  /** Set for `command: deploy` with `strategy: blue-green`. */
  blueGreen?: BlueGreenSettings;
  /** Set for the `preview-*` commands. */
  preview?: PreviewSettings;
  timeoutMs: number;
  pollIntervalMs: number;
}

export type { ServiceEntry };
