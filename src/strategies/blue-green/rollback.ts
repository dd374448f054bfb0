/**
 * Rollback of a blue-green service. When the idle side still runs the target revision and all
 * its targets are healthy, the rollback is one listener change: production weights move back
 * in a single ModifyListener, in seconds, with autoscaling handed over as a release does it
 * (the side rolled back from is held at 0..0 once its traffic left). Any
 * other case deploys the target revision through the normal blue-green release (smoke tests
 * and alarm watch included).
 */
import { setTimeout } from 'node:timers/promises';
import * as core from '@actions/core';
import { familyRevision } from '../../aws/arn.js';
import { readBounds, resourceIdOf } from '../../aws/autoscaling.js';
import type { AwsClients } from '../../aws/clients.js';
import { describeHolder } from '../../aws/lock-rule.js';
import { allHealthy, describeHealth, readTargetHealth } from '../../aws/target-health.js';
import { describeWeights, setWeights } from '../../aws/traffic.js';
import { entryForThisRun, readHistory, recordHistory } from '../../history/history.js';
import { RollbackRefused, resolveRevision } from '../../history/rollback-target.js';
import { LOCK_TTL_MS, listenerOf, takeLocks } from '../../release/lock.js';
import type { ReleaseRunner } from '../../release/runner.js';
import type { BlueGreenDeploySettings, BlueGreenRollbackSettings } from '../../settings/settings.js';
import { handOverAutoscaling, prepareBounds } from './autoscaling-hand-over.js';
import { deployBlueGreen, type ReleaseOutcome } from './deploy.js';
import { productionRouteStep, readTopology, type Topology } from './topology.js';

interface RollbackPlan {
  liveArn: string;
  targetArn: string;
  reason: string;
  /** Wall time the rollback started. */
  started: number;
}

export type BlueGreenRollback =
  /** One listener change back to the idle side, which still runs the target revision. */
  | (RollbackPlan & { method: 'traffic-switch'; status: 'succeeded' | 'dry-run'; topology: Topology })
  /** The target revision deployed as a blue-green release. */
  | (RollbackPlan & { method: 'redeploy'; release: ReleaseOutcome });

export async function rollbackBlueGreen(
  settings: BlueGreenRollbackSettings,
  clients: AwsClients,
  runner: ReleaseRunner,
): Promise<BlueGreenRollback> {
  const { journal, phases } = runner;
  const bg = settings.blueGreen;
  const target = settings.targets[0]!;
  const reason = settings.rollback.reason;
  const started = Date.now();

  const plan = await phases.run('Find the rollback target', async () => {
    const topology = await readTopology(clients, target.cluster, bg);
    const liveArn = topology.live.taskDefinition;
    // The history of a blue-green pair lives on its blue service, whichever colour is live.
    const history = await readHistory(clients.ecs, topology.blue.serviceArn);
    const { targetArn } = await resolveRevision(
      clients.ecs,
      settings.rollback.to,
      liveArn,
      history,
      topology.live.service,
      // The pair's history is what ECS recorded on either colour.
      {
        cluster: target.cluster,
        services: [topology.live.service, ...(topology.missing ? [] : [topology.idle.service])],
        warn: (w) => core.warning(w),
        releasesOnly: true,
      },
    );
    const idle = topology.idle;
    const health =
      idle.taskDefinition === targetArn && idle.desiredCount > 0
        ? await readTargetHealth(clients.elb, idle.targetGroupArn)
        : undefined;
    const switchable = !!health && allHealthy(health, idle.desiredCount);
    core.info(
      `Live: ${topology.live.color} on ${familyRevision(liveArn)}; rolling back to ${familyRevision(targetArn)}. Reason: ${reason}`,
    );
    core.info(
      switchable
        ? `${idle.service} (${idle.color}) still runs ${familyRevision(targetArn)} with ${describeHealth(health!)}: one listener change.`
        : `${idle.service} (${idle.color}) does not serve ${familyRevision(targetArn)} healthily; deploying it through the blue-green release.`,
    );
    return { topology, liveArn, targetArn, switchable };
  });

  const base = { liveArn: plan.liveArn, targetArn: plan.targetArn, reason, started };
  if (!plan.switchable) return redeploy(settings, clients, base, runner);
  if (settings.dryRun) {
    return { ...base, method: 'traffic-switch', status: 'dry-run', topology: plan.topology };
  }

  const { topology } = plan;
  const weights = {
    ...topology.weights,
    [topology.idle.targetGroupArn]: 100,
    [topology.live.targetGroupArn]: 0,
  };
  const route = productionRouteStep(topology, bg.routeSettleMs);
  await phases.run('Switch production traffic', async () => {
    // One listener change, but still only while no release is moving this listener's traffic:
    // the lock is the first journal step, checked before the switch and released by the undo.
    const [lock] = await takeLocks(
      clients.elb,
      journal,
      [listenerOf(bg.listener)],
      `${topology.cluster}/${topology.blue.service || topology.live.service}`,
      settings.run,
      { timeoutMs: settings.lockTimeoutMs, ttlMs: LOCK_TTL_MS, log: core.info, warn: core.warning },
    ).catch((err: Error) => {
      throw err.name === 'LockHeldError' ? new RollbackRefused(err.message) : err;
    });
    if (lock?.tookOver) core.info(`Took over the expired release lock of ${describeHolder(lock.tookOver)}.`);
    // The release's hand-over, in its order: the side live again gets the live bounds before
    // traffic reaches it (it was held at 0..0 as the idle side).
    const liveBounds = await readBounds(
      clients.autoscaling,
      resourceIdOf(topology.cluster, topology.live.service),
    );
    if (liveBounds) {
      await prepareBounds(clients, journal, resourceIdOf(topology.cluster, topology.idle.service), () => ({
        ...liveBounds,
        suspended: false,
      }));
    }
    // Journalled like any traffic move: a failure or cancel puts the weights back.
    await journal.perform(route, () => setWeights(clients.elb, bg.listener, weights));
    await settle(route, runner.signal, `${describeWeights(weights)} (${topology.idle.color} live again)`);
    // Traffic has left the side rolled back from: its policies go to the side live again and it
    // is held idle. Undone with the switch if anything fails before the commit.
    if (liveBounds) await handOverAutoscaling(clients, journal, topology);
  });
  journal.commit();
  // Committed: the undo now only releases the lock.
  await journal.undo(core.info);
  await phases.run('Record history', () =>
    journal.final('record the rollback in the deployment history', () =>
      recordHistory(
        clients.ecs,
        topology.blue.serviceArn,
        entryForThisRun(settings.run, plan.targetArn, { replacedArn: plan.liveArn, reason }),
      ),
    ),
  );
  return { ...base, method: 'traffic-switch', status: 'succeeded', topology };
}

/**
 * A load balancer routes by the old listener configuration for a few seconds after
 * ModifyListener answered ("requests could be routed using the previous rule configuration for a
 * short time", ALB user guide), and no API tells when every node has the change. So traffic is
 * reported back, and the side rolled back from handed its autoscaling and held idle, only
 * `route-settle` after the switch. A cancel during the wait undoes the switch like any other.
 */
async function settle(route: { settleMs?: number }, signal: AbortSignal, weights: string): Promise<void> {
  const ms = route.settleMs ?? 0;
  if (ms > 0) {
    core.info(
      `Production listener changed: waiting ${(ms / 1000).toFixed(1)}s for the load balancer to route by it.`,
    );
    await setTimeout(ms, undefined, { signal });
  }
  core.info(`Production: ${weights}.`);
}

/** Deploy the target revision as a release: the idle side gets it, smoke tests and alarms gate the switch. */
async function redeploy(
  settings: BlueGreenRollbackSettings,
  clients: AwsClients,
  plan: RollbackPlan,
  runner: ReleaseRunner,
): Promise<BlueGreenRollback> {
  const target = settings.targets[0]!;
  const { rollback: _rollback, ...rest } = settings;
  const release: BlueGreenDeploySettings = {
    ...rest,
    command: 'deploy',
    targets: [
      {
        ...target,
        taskDefinition: { kind: 'existing', ref: plan.targetArn },
        overrides: { images: [], environment: [], secrets: [] },
      },
    ],
  };
  const outcome = await deployBlueGreen(release, clients, undefined, runner);
  if (outcome.status === 'deployed') {
    const topology = await readTopology(clients, target.cluster, settings.blueGreen);
    await runner.journal.final('record the rollback in the deployment history', () =>
      recordHistory(
        clients.ecs,
        topology.blue.serviceArn,
        entryForThisRun(settings.run, plan.targetArn, { replacedArn: plan.liveArn, reason: plan.reason }),
      ),
    );
  }
  return { ...plan, method: 'redeploy', release: outcome };
}
