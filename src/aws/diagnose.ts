/**
 * Why a deployment failed, in the words a user needs: the stopped tasks *of our deployment*
 * (ECS tags each task with `startedBy` = the deployment id) with their stop reason, stop code,
 * and every container's exit code, reason and health; the health-check failures ECS reported;
 * and the last service events.
 *
 * ListTasks accepts `startedBy` only as its one filter, and alone it lists running tasks; so
 * the service's stopped tasks are listed and the deployment's picked from DescribeTasks.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  paginateListTasks,
  type Task,
} from '@aws-sdk/client-ecs';
import { resourceId } from './arn.js';

export interface StoppedContainer {
  name: string;
  exitCode?: number;
  reason?: string;
  healthStatus?: string;
}

export interface StoppedTask {
  taskId: string;
  stoppedReason?: string;
  stopCode?: string;
  containers: StoppedContainer[];
}

export interface Diagnosis {
  stoppedTasks: StoppedTask[];
  /** Service events about failing ELB or container health checks. */
  healthCheckEvents: string[];
  /** The most recent service events, newest first. */
  lastEvents: string[];
}

/** A handful of tasks explains a failure. */
const MAX_TASKS = 10;
/** DescribeTasks reads at most 100 tasks per call. */
const DESCRIBE_BATCH = 100;
/** Stopped tasks read at most (ECS keeps them about an hour): the newest are listed first. */
const MAX_LISTED = 300;
const LAST_EVENTS = 8;
const HEALTH_EVENT = /is unhealthy in|failed container health checks|failed ELB health checks/i;

export async function diagnoseDeployment(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  deploymentId: string,
): Promise<Diagnosis> {
  // Read the service afresh: the watcher's last answer may predate the final events.
  const described = await ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName] }));
  const service = described.services?.[0];
  const arns: string[] = [];
  for await (const page of paginateListTasks(
    { client: ecs, pageSize: DESCRIBE_BATCH },
    { cluster, serviceName, desiredStatus: 'STOPPED' },
  )) {
    arns.push(...(page.taskArns ?? []));
    if (arns.length >= MAX_LISTED) break;
  }
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_BATCH) {
    const out = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + DESCRIBE_BATCH) }),
    );
    tasks.push(...(out.tasks ?? []).filter((t) => t.startedBy === deploymentId));
  }
  const events = (service?.events ?? []).map((e) => e.message ?? '').filter(Boolean);
  return {
    stoppedTasks: tasks.sort(byStopTime).slice(0, MAX_TASKS).map(toStoppedTask),
    healthCheckEvents: events.filter((m) => HEALTH_EVENT.test(m)).slice(0, LAST_EVENTS),
    lastEvents: events.slice(0, LAST_EVENTS),
  };
}

/** Newest stop first: the latest crash is the one that matters. */
function byStopTime(a: Task, b: Task): number {
  return (
    (b.stoppedAt?.getTime() ?? b.stoppingAt?.getTime() ?? 0) -
    (a.stoppedAt?.getTime() ?? a.stoppingAt?.getTime() ?? 0)
  );
}

function toStoppedTask(t: Task): StoppedTask {
  const arn = t.taskArn ?? '';
  return {
    taskId: resourceId(arn),
    stoppedReason: t.stoppedReason,
    stopCode: t.stopCode,
    containers: (t.containers ?? []).map((c) => ({
      name: c.name ?? '',
      exitCode: c.exitCode,
      reason: c.reason,
      healthStatus: c.healthStatus,
    })),
  };
}

/** One line per stopped task: `task 0123…: Essential container in task exited (EssentialContainerExited); container web exit code 1`. */
export function describeStoppedTask(t: StoppedTask): string {
  const containers = t.containers
    .filter((c) => c.exitCode !== undefined || c.reason || c.healthStatus === 'UNHEALTHY')
    .map((c) => {
      const parts = [`container ${c.name}`];
      if (c.exitCode !== undefined) parts.push(`exit code ${c.exitCode}`);
      if (c.reason) parts.push(`reason: ${c.reason}`);
      if (c.healthStatus === 'UNHEALTHY') parts.push('health check UNHEALTHY');
      return parts.join(', ');
    });
  const head = `task ${t.taskId}: ${t.stoppedReason ?? 'stopped'}${t.stopCode ? ` (${t.stopCode})` : ''}`;
  return containers.length ? `${head}; ${containers.join('; ')}` : head;
}

/**
 * The most telling lines, for the error annotation: distinct stop reasons (tasks of a crash loop
 * all say the same thing), then health-check failures.
 */
export function rootCause(d: Diagnosis): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const t of d.stoppedTasks) {
    const text = describeStoppedTask(t);
    const shape = text.replace(/^task \w+: /, '');
    if (seen.has(shape)) continue;
    seen.add(shape);
    lines.push(text);
  }
  return [...lines.slice(0, 3), ...d.healthCheckEvents.slice(0, 2)];
}
