/**
 * Rollback of a rolling service: the target revision (by default the last known good one
 * before the live revision, from the service's deployment history) is deployed and watched like
 * any deploy, with the same failure reporting; when it fails, the service is left on (or
 * returned to) what was live.
 */
import * as core from '@actions/core';
import { familyRevision } from '../../aws/arn.js';
import type { AwsClients } from '../../aws/clients.js';
import { type Diagnosis, diagnoseDeployment, rootCause } from '../../aws/diagnose.js';
import { listenerOfService } from '../../aws/service-listener.js';
import { startDeployment } from '../../aws/update-service.js';
import { type FinalVerdict, watchDeployments } from '../../aws/watch.js';
import { watchOptionsFrom } from '../../aws/watch-options.js';
import { entryForThisRun, recordHistory } from '../../history/history.js';
import { RollbackRefused, resolveRollbackTarget } from '../../history/rollback-target.js';
import { LOCK_TTL_MS, takeLocks } from '../../release/lock.js';
import type { PhaseLog } from '../../release/phase-log.js';
import type { ReleaseRunner } from '../../release/runner.js';
import type { Step } from '../../release/steps.js';
import type { RollingRollbackSettings, ServiceTarget } from '../../settings/settings.js';

export interface RollingRollback {
  target: ServiceTarget;
  /** The revision live before the rollback. */
  from: string;
  /** The revision rolled back to. */
  to: string;
  reason: string;
  /** A redeploy of the older revision, or ECS's own rollback of a native deployment still in progress. */
  method: 'redeploy' | 'ecs-rollback';
  status: 'succeeded' | 'failed' | 'dry-run';
  phases: PhaseLog;
  started: number;
  failure?: string;
  diagnosis?: Diagnosis;
  /** After a failed rollback: who put the live revision back, or that nobody could. */
  restored?: 'by-ecs' | 'by-action' | 'failed';
}

export async function rollbackRolling(
  settings: RollingRollbackSettings,
  clients: AwsClients,
  { journal, phases, signal }: ReleaseRunner,
): Promise<RollingRollback> {
  const target = settings.targets[0]!;
  const reason = settings.rollback.reason;
  const started = Date.now();

  const resolved = await phases.run('Find the rollback target', async () => {
    const r = await resolveRollbackTarget(
      clients.ecs,
      target.cluster,
      target.service,
      settings.rollback.to,
      (w) => core.warning(w),
    );
    core.info(
      `${target.service}: live ${familyRevision(r.liveArn)}; rolling back to ${familyRevision(r.targetArn)}.`,
    );
    core.info(`Reason: ${reason}`);
    return r;
  });
  const base = {
    from: resolved.liveArn,
    to: resolved.targetArn,
    reason,
    method: 'redeploy' as const,
    target,
    phases,
    started,
  };

  if (settings.dryRun) return { ...base, status: 'dry-run' };

  // A rollback replaces what the listener serves: it takes the same release lock as a deploy,
  // as the first journal step; every later change and undo checks it is still ours.
  const listenerArn = await listenerOfService(clients.elb, resolved.service);
  if (listenerArn) {
    await phases.run('Release lock', () =>
      takeLocks(clients.elb, journal, [listenerArn], `${target.cluster}/${target.service}`, settings.run, {
        timeoutMs: settings.lockTimeoutMs,
        ttlMs: LOCK_TTL_MS,
        log: core.info,
        warn: core.warning,
      }).catch((err: Error) => {
        throw err.name === 'LockHeldError' ? new RollbackRefused(err.message) : err;
      }),
    );
  }
  const outcome = await deployTarget(settings, clients, { journal, phases, signal }, base, resolved);
  // The rollback is settled either way: committed, the undo only releases the lock.
  journal.commit();
  await journal.undo(core.info);
  if (outcome.status === 'succeeded') {
    await phases.run('Record history', () =>
      journal.final('record the rollback in the deployment history', () =>
        recordHistory(
          clients.ecs,
          resolved.serviceArn,
          entryForThisRun(settings.run, resolved.targetArn, { replacedArn: resolved.liveArn, reason }),
        ),
      ),
    );
  }
  return outcome;
}

type Base = Omit<RollingRollback, 'status' | 'failure' | 'diagnosis' | 'restored'>;

/**
 * Deploy the target revision, journalled with the live revision to go back to: a failed
 * rollback is undone by the same record (unless ECS already went back), a cancelled one by the
 * post step.
 */
async function deployTarget(
  settings: RollingRollbackSettings,
  clients: AwsClients,
  { journal, phases, signal }: ReleaseRunner,
  base: Base,
  resolved: { liveArn: string; targetArn: string },
): Promise<RollingRollback> {
  const { target } = base;
  const watch = (deploymentId: string) =>
    watchDeployments(
      clients.ecs,
      [{ cluster: target.cluster, service: target.service, deploymentId }],
      watchOptionsFrom(settings, signal),
    ).then((results) => results[0]!.verdict);

  const step: Extract<Step, { kind: 'service' }> = {
    kind: 'service',
    cluster: target.cluster,
    service: target.service,
    taskDefinition: resolved.liveArn,
  };
  const deployment = await phases.run(`Deploy ${familyRevision(resolved.targetArn)}`, async () => {
    const d = await journal.perform(step, () =>
      startDeployment(clients.ecs, target, resolved.targetArn, {
        rolling: settings.rolling,
        forceNewDeployment: false,
      }),
    );
    // A completed rollback is left alone by the post step, one still in progress is undone.
    journal.amend(step, { deploymentId: d.deploymentId });
    core.info(`Deployment ${d.deploymentId} started.`);
    return { id: d.deploymentId, verdict: await watch(d.deploymentId) };
  });

  if (deployment.verdict.state === 'succeeded') return { ...base, status: 'succeeded' };

  if (deployment.verdict.state === 'superseded') {
    // Someone deployed over the rollback: theirs is newer, and stays.
    journal.settle(step);
    core.warning(`Rollback superseded: ${deployment.verdict.reason}; not undone.`);
    return {
      ...base,
      status: 'failed',
      failure: `superseded: ${deployment.verdict.reason}`,
      restored: 'failed',
    };
  }
  // The rollback itself failed: say why, and make sure what was live before serves again.
  const failed = deployment.verdict as Extract<FinalVerdict, { state: 'failed' }>;
  const diagnosis = await phases.run('Diagnose', () =>
    diagnoseDeployment(clients.ecs, target.cluster, target.service, deployment.id),
  );
  for (const line of rootCause(diagnosis)) core.info(line);
  let restored: 'by-ecs' | 'by-action' | 'failed';
  if (failed.ecsRollback) {
    restored = 'by-ecs';
    // ECS put the service back itself: nothing is left to undo, only to follow.
    journal.settle(step);
    await phases.run(`Follow ECS back to ${familyRevision(resolved.liveArn)}`, () =>
      watch(failed.ecsRollback!.deploymentId),
    );
  } else {
    restored = await phases.run(`Restore ${familyRevision(resolved.liveArn)}`, async () => {
      const back = await journal.undoStep(step);
      if (!back.deploymentId)
        throw new Error(`Restoring ${target.service}: the answer names no PRIMARY deployment.`);
      const verdict = await watch(back.deploymentId);
      return verdict.state === 'succeeded' ? 'by-action' : 'failed';
    });
  }
  return { ...base, status: 'failed', failure: failed.reason, diagnosis, restored };
}
