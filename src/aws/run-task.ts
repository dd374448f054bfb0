/**
 * One-off tasks: where to place one (the service's network, launch type or capacity providers),
 * start it, wait until it stops, and read how each container ended.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CapacityProviderStrategyItem,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  type LaunchType,
  type NetworkConfiguration,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import type { RunTaskOptions } from '../settings/settings.js';

export interface Placement {
  networkConfiguration?: NetworkConfiguration;
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
}

/** The service's placement, with the inputs' subnets, security groups, public IP and launch type on top. */
export async function placementFor(
  ecs: ECSClient,
  cluster: string,
  service: string | undefined,
  options: RunTaskOptions,
): Promise<Placement> {
  let base: Placement = {};
  if (service) {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    const s = out.services?.[0];
    if (!s || s.status === 'INACTIVE')
      throw new Error(`Service ${service} (input "service") is not an active service of cluster ${cluster}.`);
    base = {
      networkConfiguration: s.networkConfiguration,
      launchType: s.capacityProviderStrategy?.length ? undefined : s.launchType,
      capacityProviderStrategy: s.capacityProviderStrategy?.length ? s.capacityProviderStrategy : undefined,
      platformVersion: s.platformVersion,
    };
  }
  const vpc = base.networkConfiguration?.awsvpcConfiguration;
  const subnets = options.subnets ?? vpc?.subnets;
  const networkConfiguration: NetworkConfiguration | undefined = subnets?.length
    ? {
        awsvpcConfiguration: {
          subnets,
          securityGroups: options.securityGroups ?? vpc?.securityGroups,
          assignPublicIp:
            options.assignPublicIp === undefined
              ? vpc?.assignPublicIp
              : options.assignPublicIp
                ? 'ENABLED'
                : 'DISABLED',
        },
      }
    : undefined;
  if (options.launchType)
    return {
      ...base,
      networkConfiguration,
      launchType: options.launchType,
      capacityProviderStrategy: undefined,
    };
  // Neither from the service nor from inputs: Fargate, as a task with subnets given usually is.
  const fallback =
    !base.launchType && !base.capacityProviderStrategy ? { launchType: 'FARGATE' as const } : {};
  return { ...base, ...fallback, networkConfiguration };
}

export async function startTask(
  ecs: ECSClient,
  request: {
    cluster: string;
    taskDefinition: string;
    placement: Placement;
    startedBy: string;
    overrides: { name: string; command?: string[]; environment?: { name: string; value: string }[] }[];
  },
): Promise<Task> {
  const out = await ecs.send(
    new RunTaskCommand({
      cluster: request.cluster,
      taskDefinition: request.taskDefinition,
      count: 1,
      startedBy: request.startedBy,
      ...request.placement,
      overrides: request.overrides.length ? { containerOverrides: request.overrides } : undefined,
    }),
  );
  const task = out.tasks?.[0];
  if (!task?.taskArn) {
    const why = out.failures
      ?.map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`)
      .join('; ');
    throw new Error(`RunTask started no task: ${why || 'no reason given'}.`);
  }
  return task;
}

export async function describeTask(ecs: ECSClient, cluster: string, taskArn: string): Promise<Task> {
  const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  const task = out.tasks?.[0];
  if (!task) throw new Error(`Task ${taskArn} is not found: ${out.failures?.[0]?.reason ?? 'MISSING'}.`);
  return task;
}

/** Poll until the task is STOPPED; `onProgress` sees each new status. Rejects on timeout or abort. */
export async function waitUntilStopped(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  options: {
    pollIntervalMs: number;
    timeoutMs: number;
    signal?: AbortSignal;
    onProgress?: (status: string) => void;
  },
): Promise<Task> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const task = await describeTask(ecs, cluster, taskArn);
    const status = task.lastStatus ?? 'UNKNOWN';
    if (status !== last) options.onProgress?.(status);
    last = status;
    if (status === 'STOPPED') return task;
    if (Date.now() >= deadline) throw new TaskTimeoutError(taskArn, options.timeoutMs, status);
    await sleep(Math.min(options.pollIntervalMs, Math.max(0, deadline - Date.now())), undefined, {
      signal: options.signal,
    });
  }
}

export class TaskTimeoutError extends Error {
  override name = 'TaskTimeoutError';
  constructor(
    readonly taskArn: string,
    timeoutMs: number,
    readonly lastStatus: string,
  ) {
    super(`The task did not stop within ${Math.round(timeoutMs / 1000)}s (last status ${lastStatus}).`);
  }
}

export async function stopTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  reason: string,
): Promise<void> {
  await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
}

export interface ContainerEnd {
  name: string;
  exitCode?: number;
  reason?: string;
  essential: boolean;
}

/**
 * The task's verdict: it succeeded when every essential container exited 0 by itself (the task
 * stopped with `EssentialContainerExited`); any other stop code (failed to start, stopped by a
 * user or the scheduler) or a non-zero (or missing) essential exit code is a failure.
 */
export function judgeStoppedTask(
  task: Task,
  essential: (container: string) => boolean,
): {
  ok: boolean;
  containers: ContainerEnd[];
  why?: string;
} {
  const containers = (task.containers ?? []).map((c) => ({
    name: c.name ?? '?',
    exitCode: c.exitCode,
    reason: c.reason,
    essential: essential(c.name ?? ''),
  }));
  const failed = containers.filter((c) => c.essential && c.exitCode !== 0);
  if (task.stopCode !== 'EssentialContainerExited') {
    return {
      ok: false,
      containers,
      why: `the task stopped: ${task.stoppedReason ?? task.stopCode ?? 'no reason given'}`,
    };
  }
  if (failed.length) {
    const list = failed
      .map(
        (c) =>
          `${c.name} ${c.exitCode === undefined ? 'has no exit code' : `exited with code ${c.exitCode}`}${c.reason ? ` (${c.reason})` : ''}`,
      )
      .join(', ');
    return { ok: false, containers, why: list };
  }
  return { ok: true, containers };
}
