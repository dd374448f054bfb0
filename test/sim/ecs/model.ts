/** The ECS simulator's state: plain records the API handlers and the scheduler share. */
import { randomBytes, randomInt } from 'node:crypto';
import { ACCOUNT, REGION } from '../contracts.js';
import type { TaskServer } from './container.js';
import type { ImageBehaviour } from './images.js';
import type { ServiceDeploymentRecord } from './service-deployments.js';

export interface Tag {
  key: string;
  value: string;
}

export interface Cluster {
  name: string;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  tags: Tag[];
  settings: unknown[];
}

export interface TaskDefinition {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  /** Everything the caller registered, minus tags. */
  input: Record<string, unknown>;
  registeredAt: Date;
  deregisteredAt?: Date;
  tags: Tag[];
}

export interface DeploymentConfiguration {
  minimumHealthyPercent: number;
  maximumPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  alarms?: { alarmNames: string[]; enable: boolean; rollback: boolean };
  [key: string]: unknown;
}

export interface LoadBalancer {
  targetGroupArn?: string;
  loadBalancerName?: string;
  containerName: string;
  containerPort: number;
  /** Native blue/green: alternate group, production/test rules, role (native-config.ts). */
  advancedConfiguration?: Record<string, unknown>;
}

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface Deployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinitionArn: string;
  desiredCount: number;
  /** Consecutive failures (reset when a task of this deployment turns healthy). */
  failedTasks: number;
  createdAt: Date;
  updatedAt: Date;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  loadBalancers: LoadBalancer[];
  networkConfiguration?: unknown;
  launchType?: string;
  /** The images this revision runs, pinned to digests when it was created (DescribeServiceRevisions). */
  containerImages: { containerName: string; image: string; imageDigest?: string }[];
  /** The service's configuration this deployment runs with (service connect, volumes, platform). */
  extra?: Record<string, unknown>;
  /** Sim ms of the last "unable to stop or start tasks" event, to repeat it only now and then. */
  stuckEventAt?: number;
  /** Sim ms before which no task is launched (back-off after repeated launch failures). */
  nextLaunchAt?: number;
  /** True while this deployment is the target of a rollback (alarms no longer fail it). */
  rollingBack?: boolean;
  /** True once "unable to consistently start tasks" was reported for this deployment. */
  reportedUnableToStart?: boolean;
}

export interface ServiceEvent {
  id: string;
  createdAt: Date;
  message: string;
}

export interface Service {
  name: string;
  arn: string;
  /** True for a service created while `serviceLongArnFormat` was disabled: it cannot be tagged. */
  shortArn?: boolean;
  cluster: Cluster;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinitionArn: string;
  deploymentConfiguration: DeploymentConfiguration;
  loadBalancers: LoadBalancer[];
  healthCheckGracePeriodSeconds: number;
  /** Newest first, as DescribeServices returns them. */
  deployments: Deployment[];
  /** Every deployment ever made, by id (rollback may reactivate an INACTIVE one). */
  history: Deployment[];
  lastCompleted?: Deployment;
  /** Newest first, for ListServiceDeployments / DescribeServiceDeployments. */
  serviceDeployments: ServiceDeploymentRecord[];
  events: ServiceEvent[];
  createdAt: Date;
  tags: Tag[];
  /** Everything else the caller passed, echoed back (networkConfiguration, launchType, …). */
  extra: Record<string, unknown>;
  /** Sim ms of the last steady-state event; undefined while not steady. */
  steadySince?: number;
  lastSteadyEventAt?: number;
}

export type TaskStatus =
  | 'PROVISIONING'
  | 'PENDING'
  | 'ACTIVATING'
  | 'RUNNING'
  | 'DEACTIVATING'
  | 'STOPPING'
  | 'DEPROVISIONING'
  | 'STOPPED';

export interface Container {
  name: string;
  image: string;
  essential: boolean;
  behaviour: ImageBehaviour;
  /** Why the image cannot be pulled, if it cannot. */
  pullError?: string;
  /** The port this container listens on inside the task definition, if any. */
  containerPort?: number;
  hasHealthCheck: boolean;
  healthCheck?: { interval?: number; retries?: number; startPeriod?: number };
  exitCode?: number;
  reason?: string;
  healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  /** Where the awslogs driver sends the container's output, if it uses awslogs. */
  awslogs?: { group: string; stream: string; createGroup: boolean };
  /** Lines the container writes, in simulated ms after it started; sent to its log as time passes. */
  output: { afterMs: number; message: string }[];
  /** How many of `output` were written already. */
  written: number;
}

/** RunTask's `overrides` as the task keeps and reports them. */
export interface TaskOverrides {
  containerOverrides?: {
    name?: string;
    command?: string[];
    environment?: { name?: string; value?: string }[];
    environmentFiles?: { value?: string; type?: string }[];
    cpu?: number;
    memory?: number;
  }[];
  cpu?: string;
  memory?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
}

export type StopCode =
  | 'TaskFailedToStart'
  | 'EssentialContainerExited'
  | 'UserInitiated'
  | 'ServiceSchedulerInitiated';

export interface Task {
  id: string;
  arn: string;
  cluster: Cluster;
  service?: Service;
  deploymentId?: string;
  startedBy?: string;
  group: string;
  taskDefinitionArn: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  containers: Container[];
  /** The container that serves HTTP (the first one with a port mapping, else the first). */
  main: Container;
  server?: TaskServer;
  port?: number;
  launchType: string;
  networkMode: string;
  createdAt: Date;
  /** Sim ms when the current lifecycle step ends (PROVISIONING, PENDING, STOPPING …). */
  nextAt: number;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  startedAt?: Date;
  /** Sim ms when the task counted as healthy for the scheduler (reset-on-healthy, rollout). */
  healthyAt?: number;
  stoppingAt?: Date;
  /** Wall ms before which a draining task is not told to stop (see ElbSim.minDrainWallMs). */
  drainWallUntil?: number;
  stoppedAt?: Date;
  executionStoppedAt?: Date;
  stopCode?: StopCode;
  stoppedReason?: string;
  /** Exit code the essential containers report once stopped (137 after SIGKILL, 0 after SIGTERM). */
  exitCodeOnStop?: number;
  /** Report "has stopped … running tasks" when the drained task is sent SIGTERM (scheduler stops only). */
  announceStop?: boolean;
  /** True when the stop counts against the deployment's circuit breaker. */
  failure: boolean;
  /** Target groups the task is registered in. */
  registeredIn: string[];
  tags: Tag[];
  cpu?: string;
  memory?: string;
  overrides?: TaskOverrides;
  capacityProviderName?: string;
}

export const arns = {
  cluster: (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`,
  service: (cluster: string, name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`,
  /** The old format, without the cluster: services created before the long format was the default. */
  shortService: (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${name}`,
  task: (cluster: string, id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${id}`,
  taskDefinition: (family: string, revision: number) =>
    `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`,
};

/** `ecs-svc/` + 19 decimal digits, as deployment ids look on AWS. */
export function newDeploymentId(): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 19) digits += String(randomInt(0, 10));
  return `ecs-svc/${digits}`;
}

/** Task ids are 32 lowercase hex characters. */
export function newTaskId(): string {
  return randomBytes(16).toString('hex');
}

/** The last path segment of an ARN or the value itself: lets handlers accept names and ARNs alike. */
export function nameOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}

export function toTags(tags: Tag[] | undefined): Tag[] {
  return (tags ?? []).map((t) => ({ key: t.key, value: t.value }));
}

export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.key, t.value]));
  for (const t of added) byKey.set(t.key, t.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
}
