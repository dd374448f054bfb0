/**
 * A one-off task as a step of a release (a database migration before a deploy, or the whole of
 * `command: run-task`): recorded in the journal before RunTask so that a cancelled job stops it,
 * placed like the service's own tasks, watched until it stops, and judged by how its essential
 * containers ended — with each container's exit code and the tail of its log for the reader.
 */
import * as core from '@actions/core';
import { familyRevision, resourceId } from '../aws/arn.js';
import type { AwsClients } from '../aws/clients.js';
import { awslogsDestination, type LogTail, logTail } from '../aws/logs.js';
import {
  type ContainerEnd,
  judgeStoppedTask,
  placementFor,
  startTask,
  waitUntilStopped,
} from '../aws/run-task.js';
import type { RunTaskOptions } from '../settings/settings.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import type { Journal } from './journal.js';
import type { Step } from './steps.js';

/** Lines of each container's log shown in the log and the summary. */
export const LOG_TAIL_LINES = 20;

export interface OneOffTaskRequest {
  cluster: string;
  /** The service whose network configuration and launch type the task gets, if any. */
  service?: string;
  taskDefinitionArn: string;
  definition: TaskDefinitionInput;
  /** The container unprefixed overrides apply to (default: the first). */
  container?: string;
  options: RunTaskOptions;
  timeoutMs: number;
  pollIntervalMs: number;
}

export interface OneOffTaskResult {
  status: 'succeeded' | 'failed' | 'cancelled';
  taskArn?: string;
  containers: ContainerEnd[];
  stoppedReason?: string;
  stopCode?: string;
  /** Why it failed, in one sentence. */
  reason?: string;
  logs: { container: string; stream?: string; tail: LogTail }[];
}

interface ContainerOverride {
  name: string;
  command?: string[];
  environment?: { name: string; value: string }[];
}

/** RunTask's container overrides: the command for the main container, environment per container. */
export function containerOverrides(
  definition: TaskDefinitionInput,
  main: string | undefined,
  options: RunTaskOptions,
): ContainerOverride[] {
  const names = (definition.containerDefinitions ?? []).map((c) => c.name ?? '');
  const mainName = main ?? names[0] ?? '';
  const byName = new Map<string, ContainerOverride>();
  const entry = (name: string) => {
    if (!names.includes(name))
      throw new Error(
        `Input "run-environment": no container named "${name}" in the task definition. Expected one of: ${names.join(', ')}.`,
      );
    const o = byName.get(name) ?? { name };
    byName.set(name, o);
    return o;
  };
  if (options.command) entry(mainName).command = options.command;
  for (const [key, value] of options.environment) {
    const slash = key.indexOf('/');
    const o = entry(slash > 0 ? key.slice(0, slash) : mainName);
    o.environment = [...(o.environment ?? []), { name: slash > 0 ? key.slice(slash + 1) : key, value }];
  }
  return [...byName.values()];
}

export async function runOneOffTask(
  clients: AwsClients,
  journal: Journal,
  request: OneOffTaskRequest,
  signal?: AbortSignal,
): Promise<OneOffTaskResult> {
  const { cluster, definition } = request;
  const overrides = containerOverrides(definition, request.container, request.options);
  const placement = await placementFor(clients.ecs, cluster, request.service, request.options);
  const step: Extract<Step, { kind: 'task' }> = {
    kind: 'task',
    cluster,
    startedBy: request.options.startedBy,
    at: Date.now(),
  };
  const started = await journal.perform(step, () =>
    startTask(clients.ecs, {
      cluster,
      taskDefinition: request.taskDefinitionArn,
      placement,
      startedBy: request.options.startedBy,
      overrides,
    }),
  );
  const taskArn = started.taskArn!;
  journal.amend(step, { taskArn });
  const taskId = resourceId(taskArn);
  core.info(
    `Started one-off task ${taskId} of ${familyRevision(request.taskDefinitionArn)} (started by ${request.options.startedBy}).`,
  );

  let stopped: Awaited<ReturnType<typeof waitUntilStopped>>;
  try {
    stopped = await waitUntilStopped(clients.ecs, cluster, taskArn, {
      pollIntervalMs: request.pollIntervalMs,
      timeoutMs: request.timeoutMs,
      signal,
      onProgress: (status) => core.info(`Task ${taskId}: ${status}`),
    });
  } catch (err) {
    // Cancelled, timed out or unreadable: the journal's undo stops it (the caller runs it).
    return {
      status: signal?.aborted ? 'cancelled' : 'failed',
      taskArn,
      containers: [],
      reason: (err as Error).message,
      logs: [],
    };
  }
  // The task is over: nothing of it is left to undo.
  journal.commit();

  const essential = (name: string) =>
    (definition.containerDefinitions ?? []).find((c) => c.name === name)?.essential !== false;
  const verdict = judgeStoppedTask(stopped, essential);
  const logs: OneOffTaskResult['logs'] = [];
  for (const c of definition.containerDefinitions ?? []) {
    const at = awslogsDestination(c as Parameters<typeof awslogsDestination>[0], taskId);
    if (!at) continue;
    logs.push({
      container: c.name ?? '',
      stream: `${at.group} ${at.stream}`,
      tail: await logTail(clients.logs, at, LOG_TAIL_LINES).catch((err: Error) => ({
        missing: `the log could not be read: ${err.name}: ${err.message}`,
      })),
    });
  }
  for (const c of verdict.containers)
    core.info(
      `${c.name}${c.essential ? '' : ' (not essential)'}: ${c.exitCode === undefined ? 'no exit code' : `exit code ${c.exitCode}`}${c.reason ? ` (${c.reason})` : ''}`,
    );
  core.info(`Stopped: ${stopped.stopCode ?? '?'}: ${stopped.stoppedReason ?? 'no reason given'}`);
  for (const l of logs) {
    await core.group(`Log tail of ${l.container} (${l.stream})`, async () => {
      if ('missing' in l.tail) core.info(l.tail.missing);
      else for (const line of l.tail.lines) core.info(line);
    });
  }
  return {
    status: verdict.ok ? 'succeeded' : 'failed',
    taskArn,
    containers: verdict.containers,
    stoppedReason: stopped.stoppedReason,
    stopCode: stopped.stopCode,
    reason: verdict.why,
    logs,
  };
}
