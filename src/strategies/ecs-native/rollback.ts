/**
 * `command: rollback` on a service with ECS-native blue/green: while a service deployment is
 * still in progress (up to the end of its bake) the revision that served before is still
 * running, and ECS's own rollback (StopServiceDeployment ROLLBACK) puts production back on it in
 * seconds. Once a deployment finished, the old tasks are gone: the rollback is a redeploy of the
 * older revision, which ECS runs as another blue/green deployment.
 */
import * as core from '@actions/core';
import { DescribeServiceRevisionsCommand } from '@aws-sdk/client-ecs';
import { familyRevision, resourceId } from '../../aws/arn.js';
import type { AwsClients } from '../../aws/clients.js';
import {
  describeServiceDeployment,
  isFinished,
  newestServiceDeployment,
  stopWithRollback,
} from '../../aws/service-deployments.js';
import { sleep } from '../../release/cancel.js';
import type { ReleaseRunner } from '../../release/runner.js';
import type { NativeRollbackSettings } from '../../settings/settings.js';
import { type RollingRollback, rollbackRolling } from '../rolling/rollback.js';

export async function rollbackNative(
  settings: NativeRollbackSettings,
  clients: AwsClients,
  runner: ReleaseRunner,
): Promise<RollingRollback> {
  const target = settings.targets[0]!;
  const arn = await newestServiceDeployment(clients.ecs, target.cluster, target.service, ['IN_PROGRESS']);
  if (!arn) {
    core.info(
      `${target.service}: no ECS deployment in progress; rolling back by redeploying the older revision.`,
    );
    const { native: _n, ...rest } = settings;
    return rollbackRolling({ ...rest, strategy: 'rolling' }, clients, runner);
  }
  const { phases, journal } = runner;
  const started = Date.now();
  const d = await describeServiceDeployment(clients.ecs, arn);
  const revisions = [d.targetServiceRevision?.arn, d.sourceServiceRevisions?.[0]?.arn].filter(
    (a): a is string => !!a,
  );
  const described = await clients.ecs.send(
    new DescribeServiceRevisionsCommand({ serviceRevisionArns: revisions }),
  );
  const taskDefinitionOf = (revision: string | undefined) =>
    described.serviceRevisions?.find((r) => r.serviceRevisionArn === revision)?.taskDefinition ?? '';
  const base = {
    target,
    from: taskDefinitionOf(d.targetServiceRevision?.arn),
    to: taskDefinitionOf(d.sourceServiceRevisions?.[0]?.arn),
    reason: settings.rollback.reason,
    method: 'ecs-rollback' as const,
    phases,
    started,
  };
  core.info(
    `${target.service}: ECS deployment ${resourceId(arn)} of ${familyRevision(base.from)} is ${d.status} at ${d.lifecycleStage}; ECS rolls back to ${familyRevision(base.to)}, which still runs.`,
  );
  if (settings.dryRun) return { ...base, status: 'dry-run' };
  const final = await phases.run('ECS rollback (StopServiceDeployment)', async () => {
    // The rollback is ECS's own: nothing of it to undo.
    await journal.final('stop the ECS deployment with rollback', () => stopWithRollback(clients.ecs, arn));
    const deadline = Date.now() + settings.timeoutMs;
    for (;;) {
      const now = await describeServiceDeployment(clients.ecs, arn);
      if (isFinished(now) || Date.now() > deadline) return now;
      await sleep(settings.pollIntervalMs);
    }
  });
  return final.status === 'ROLLBACK_SUCCESSFUL'
    ? { ...base, status: 'succeeded' }
    : {
        ...base,
        status: 'failed',
        failure: `ECS ended the rollback ${final.status ?? 'unfinished'}: ${final.statusReason ?? ''}`,
      };
}
