/**
 * Waits for the idle side: its ECS deployment (the rolling strategy's watcher, which follows
 * our deployment id and says why it failed) and then every target in its target group healthy.
 */
import * as core from '@actions/core';
import { targetGroupName } from '../../aws/arn.js';
import type { AwsClients } from '../../aws/clients.js';
import { describeStoppedTask, diagnoseDeployment, rootCause } from '../../aws/diagnose.js';
import { allHealthy, describeHealth, readTargetHealth } from '../../aws/target-health.js';
import { watchDeployments } from '../../aws/watch.js';
import { watchOptionsFrom } from '../../aws/watch-options.js';
import { sleep } from '../../release/cancel.js';
import type { Settings } from '../../settings/settings.js';
import { formatDuration } from '../../settings/values.js';
import { SupersededError } from './errors.js';
import type { Side } from './topology.js';

export async function waitForDeployment(
  clients: AwsClients,
  settings: Settings,
  cluster: string,
  idle: Side,
  deploymentId: string,
  signal: AbortSignal,
): Promise<void> {
  const [result] = await watchDeployments(clients.ecs, [{ cluster, service: idle.service, deploymentId }], {
    ...watchOptionsFrom(settings),
    clock: { now: () => Date.now(), sleep: (ms) => sleep(ms, signal) },
  });
  if (!result || result.verdict.state === 'succeeded') return;
  if (result.verdict.state === 'superseded') {
    const { by, reason } = result.verdict;
    throw new SupersededError(`${idle.service} (${idle.color}): superseded: ${reason}`, {
      deploymentId: by.deploymentId,
      taskDefinitionArn: by.taskDefinition,
    });
  }
  const diagnosis = await diagnoseDeployment(clients.ecs, cluster, idle.service, deploymentId).catch(
    () => undefined,
  );
  const cause = diagnosis ? rootCause(diagnosis) : [];
  for (const t of diagnosis?.stoppedTasks ?? []) core.info(describeStoppedTask(t));
  throw new Error(
    `${idle.service} (${idle.color}) did not become stable on the new revision: ${result.verdict.reason}.${cause.length ? ` ${cause.join(' ')}` : ''} Production never received the new version.`,
  );
}

export async function waitForHealthyTargets(
  clients: AwsClients,
  idle: Side,
  capacity: number,
  settings: Settings,
  startedAt: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = startedAt + settings.timeoutMs;
  let lastLine = '';
  for (;;) {
    const health = await readTargetHealth(clients.elb, idle.targetGroupArn);
    const line = `${idle.service}: ${describeHealth(health)} in ${targetGroupName(idle.targetGroupArn)}`;
    if (line !== lastLine) core.info(line);
    lastLine = line;
    if (allHealthy(health, capacity)) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `Targets of ${idle.service} (${idle.color}) were not all healthy after ${formatDuration(settings.timeoutMs)} (input "timeout"): ${describeHealth(health)}. Production never received the new version.`,
      );
    }
    await sleep(settings.pollIntervalMs, signal);
  }
}
