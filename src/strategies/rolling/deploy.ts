/**
 * The rolling deploy of one or many services: check every service exists, register (or reuse)
 * each task definition, update all services at once, watch them with one poller, explain and
 * roll back the ones that failed (each alone), and record the revision of the ones that
 * succeeded as their last known good.
 */
import * as core from '@actions/core';
import type { Service } from '@aws-sdk/client-ecs';
import { familyRevision, serviceName } from '../../aws/arn.js';
import { checkServicesExist } from '../../aws/check-services.js';
import type { AwsClients } from '../../aws/clients.js';
import { type Diagnosis, describeStoppedTask, diagnoseDeployment } from '../../aws/diagnose.js';
import { describeHolder } from '../../aws/lock-rule.js';
import { listenerOfService } from '../../aws/service-listener.js';
import { createdAtOf, startDeployment } from '../../aws/update-service.js';
import { type FinalVerdict, type WatchTarget, watchDeployments } from '../../aws/watch.js';
import { watchOptionsFrom } from '../../aws/watch-options.js';
import { entryForThisRun, recordHistory } from '../../history/history.js';
import type { Journal } from '../../release/journal.js';
import { LOCK_TTL_MS, takeLocks } from '../../release/lock.js';
import type { PhaseLog } from '../../release/phase-log.js';
import type { ReleaseRunner } from '../../release/runner.js';
import type { Step } from '../../release/steps.js';
import type { RollingDeploySettings, RunContext, ServiceTarget } from '../../settings/settings.js';
import { logPrepared } from '../../taskdef/log.js';
import type { TaskDefinitionInput } from '../../taskdef/normalize.js';
import {
  type PreparedTaskDefinition,
  prepareTaskDefinition,
  renderFromLiveService,
} from '../../taskdef/prepare.js';
import { checkTaskDefinitionSize } from '../../taskdef/register.js';

export type ServiceStatus =
  | 'succeeded'
  | 'superseded'
  | 'failed'
  | 'rolled-back'
  | 'rollback-failed'
  | 'dry-run'
  /** `wait: false`: the deployment was started and not watched; its outcome is unknown. */
  | 'started';

export interface RollbackReport {
  by: 'ecs' | 'action';
  deploymentId: string;
  taskDefinitionArn: string;
  /** `completed` once the old revision serves again; `started` when it was not waited for. */
  outcome: 'completed' | 'failed' | 'started';
  reason?: string;
}

export interface ServiceOutcome {
  target: ServiceTarget;
  prepared: PreparedTaskDefinition;
  status: ServiceStatus;
  deploymentId?: string;
  /** When ECS created our deployment (its clock), for the post step's "is it superseded?". */
  deploymentCreatedAt?: string;
  serviceArn?: string;
  /** Why the deploy failed (one sentence). */
  reason?: string;
  diagnosis?: Diagnosis;
  rollback?: RollbackReport;
  /** The newer deployment that replaced ours (status `superseded`): left alone, never rolled back over. */
  supersededBy?: { deploymentId: string; taskDefinitionArn: string };
  startedAt: number;
  finishedAt: number;
}

export interface RollingResult {
  outcomes: ServiceOutcome[];
  phaseLog: PhaseLog;
  /** For the job summary: the expired locks of dead runs this run took over. */
  notes: string[];
}

export async function deployRolling(
  settings: RollingDeploySettings,
  clients: AwsClients,
  rendered: (TaskDefinitionInput | undefined)[],
  { journal, phases: phaseLog, signal }: ReleaseRunner,
): Promise<RollingResult> {
  const { ecs } = clients;
  const targets = settings.targets;
  const runStarted = Date.now();

  const found = await phaseLog.run('Check services', async () => {
    const services = await checkServicesExist(ecs, targets);
    await checkDefinitionSizes(clients, targets, rendered);
    core.info(`${services.size} service${services.size === 1 ? '' : 's'} found.`);
    return services;
  });

  // The release lock of every listener in front of these services comes first: a run that
  // loses it changes nothing at all. A service behind no load balancer has no lock to take; the
  // superseded rule (never roll back over a newer deployment) is what keeps it safe.
  const notes = settings.dryRun ? [] : await takeRollingLocks(settings, clients, found, journal, phaseLog);

  const prepared = await phaseLog.run('Register task definitions', () =>
    Promise.all(
      targets.map(async (target, i) => {
        // A new revision changes nothing that runs: a journal step with nothing to undo.
        const p = await journal.final(`register the task definition of ${target.service}`, () =>
          prepareTaskDefinition(clients, target, {
            dryRun: settings.dryRun,
            pinImageDigests: settings.pinImageDigests,
            rendered: rendered[i],
          }),
        );
        core.info(`service ${target.service}:`);
        logPrepared(p, settings.dryRun);
        return p;
      }),
    ),
  );

  const outcomes: ServiceOutcome[] = targets.map((target, i) => ({
    target,
    prepared: prepared[i]!,
    status: 'dry-run',
    startedAt: runStarted,
    finishedAt: Date.now(),
  }));
  if (settings.dryRun) {
    for (const o of outcomes) {
      core.info(
        `Dry run: would update ${o.target.service} from ${familyRevision(o.prepared.previousArn ?? '?')} to ${o.prepared.arn ? familyRevision(o.prepared.arn) : `a new revision of ${o.prepared.family}`}.`,
      );
    }
    return { outcomes, phaseLog, notes };
  }

  // Each UpdateService is journalled (action state) before it is sent, with the revision and
  // count to go back to: if the job is cancelled or the runner dies mid-deploy, the post step
  // puts the services back. A failed service goes back through the same record. Once every
  // outcome is settled here, the journal is committed.
  const steps = new Map<ServiceOutcome, Extract<Step, { kind: 'service' }>>();
  await phaseLog.run('Start deployments', () =>
    Promise.all(
      outcomes.map((o) => {
        const live = found.get(`${o.target.cluster}/${serviceName(o.target.service)}`);
        const step: Extract<Step, { kind: 'service' }> = {
          kind: 'service',
          cluster: o.target.cluster,
          service: o.target.service,
          desiredCount: live?.desiredCount ?? 0,
          taskDefinition: o.prepared.previousArn ?? live?.taskDefinition ?? '',
        };
        steps.set(o, step);
        return journal.perform(step, async () => {
          await start(o, settings, clients);
          // The post step reads this deployment before undoing: completed or superseded stays.
          if (o.deploymentId) {
            journal.amend(step, {
              deploymentId: o.deploymentId,
              deploymentCreatedAt: o.deploymentCreatedAt,
              keepIfCompleted: true,
            });
          }
        });
      }),
    ),
  );

  const started = outcomes.filter((o) => o.deploymentId);
  if (!settings.rolling.wait) {
    // Not watched: the deployments go on without us, so there is nothing to undo and no
    // history to record (only a watched success proves a revision good).
    for (const o of started) {
      o.status = 'started';
      o.finishedAt = Date.now();
    }
    journal.commit();
    return { outcomes, phaseLog, notes };
  }
  if (started.length) {
    await phaseLog.run('Watch deployments', async () => {
      const results = await watchDeployments(
        ecs,
        started.map(watchTargetOf),
        watchOptionsFrom(settings, signal),
      );
      for (const [i, r] of results.entries()) judge(started[i]!, r.verdict, r.service?.serviceArn);
    });
  }

  // A superseded deployment is not a failure: what replaced it is newer, and stays.
  const failed = started.filter((o) => o.status !== 'succeeded' && o.status !== 'superseded');
  if (failed.length) phaseLog.markFailed('Watch deployments');
  if (failed.length) {
    await phaseLog.run('Diagnose failures', () => Promise.all(failed.map((o) => diagnose(o, clients))));
  }
  if (failed.some((o) => o.rollback?.by === 'ecs') || (failed.length && settings.rolling.rollbackOnFailure)) {
    await phaseLog.run('Roll back', () => rollBack(failed, settings, clients, { journal, steps, signal }));
  }

  // Superseded deployments stay as they are; the post step says so instead of undoing anything.
  journal.commit(
    outcomes
      .filter((o) => o.status === 'superseded')
      .map(
        (o) =>
          `${o.target.service}: left alone, superseded by deployment ${o.supersededBy?.deploymentId} (${familyRevision(o.supersededBy?.taskDefinitionArn ?? '')}).`,
      ),
  );

  const recorded = outcomes.filter((o) => o.status === 'succeeded' || o.rollback?.outcome === 'completed');
  if (recorded.length) {
    await phaseLog.run('Record history', () =>
      Promise.all(
        recorded.map((o) =>
          journal.final(`record ${o.target.service} in its deployment history`, () =>
            record(o, clients, settings.run),
          ),
        ),
      ),
    );
  }
  // Committed: only the release locks are left in the journal, and this releases them.
  await journal.undo(core.info);
  return { outcomes, phaseLog, notes };
}

/**
 * A definition ECS would refuse is refused before the release lock is taken: a file's as
 * rendered offline, and one rendered onto the live service's, read here (read only). The
 * registration renders it again after the lock: another release may have finished meanwhile.
 */
async function checkDefinitionSizes(
  clients: AwsClients,
  targets: ServiceTarget[],
  rendered: (TaskDefinitionInput | undefined)[],
): Promise<void> {
  const definitions = await Promise.all(
    targets.map(async (target, i) => rendered[i] ?? (await renderFromLiveService(clients, target))),
  );
  for (const def of definitions) if (def) checkTaskDefinitionSize(def);
}

/**
 * The release lock of every listener in front of the services (none behind no load balancer).
 * Returns what the summary must say: whose expired locks were taken over.
 */
async function takeRollingLocks(
  settings: RollingDeploySettings,
  clients: AwsClients,
  found: Map<string, Service>,
  journal: Journal,
  phaseLog: PhaseLog,
): Promise<string[]> {
  const listeners = (
    await Promise.all([...found.values()].map((s) => listenerOfService(clients.elb, s)))
  ).filter((l): l is string => !!l);
  if (!listeners.length) return [];
  return await phaseLog.run('Release lock', async () => {
    const locks = await takeLocks(
      clients.elb,
      journal,
      listeners,
      settings.targets.map((t) => `${t.cluster}/${serviceName(t.service)}`).join(', '),
      settings.run,
      { timeoutMs: settings.lockTimeoutMs, ttlMs: LOCK_TTL_MS, log: core.info, warn: core.warning },
    );
    const notes: string[] = [];
    for (const l of locks) {
      core.info(`Release lock taken (listener rule ${l.ruleArn}).`);
      if (!l.tookOver) continue;
      notes.push(`Took over the expired release lock of ${describeHolder(l.tookOver)}.`);
      core.info(notes[notes.length - 1]!);
    }
    return notes;
  });
}

async function start(o: ServiceOutcome, settings: RollingDeploySettings, clients: AwsClients): Promise<void> {
  o.startedAt = Date.now();
  try {
    const arn = o.prepared.arn!;
    const started = await startDeployment(clients.ecs, o.target, arn, {
      rolling: settings.rolling,
      desiredCount: o.target.desiredCount,
      forceNewDeployment: settings.rolling.forceNewDeployment,
    });
    o.deploymentId = started.deploymentId;
    o.deploymentCreatedAt = createdAtOf(started);
    o.serviceArn = started.service.serviceArn;
    core.info(`${o.target.service}: deployment ${started.deploymentId} started with ${familyRevision(arn)}.`);
  } catch (err) {
    o.status = 'failed';
    o.reason = (err as Error).message;
    o.finishedAt = Date.now();
    core.info(`${o.target.service}: ${o.reason}`);
  }
}

function watchTargetOf(o: ServiceOutcome): WatchTarget {
  return { cluster: o.target.cluster, service: o.target.service, deploymentId: o.deploymentId! };
}

function judge(o: ServiceOutcome, verdict: FinalVerdict, serviceArn: string | undefined): void {
  o.finishedAt = Date.now();
  o.serviceArn = serviceArn ?? o.serviceArn;
  if (verdict.state === 'succeeded') {
    o.status = 'succeeded';
    return;
  }
  if (verdict.state === 'superseded') {
    o.status = 'superseded';
    o.reason = verdict.reason;
    o.supersededBy = { deploymentId: verdict.by.deploymentId, taskDefinitionArn: verdict.by.taskDefinition };
    core.warning(
      `${o.target.service}: superseded: ${verdict.reason}. Not rolled back: the newer deployment stays.`,
    );
    return;
  }
  o.status = 'failed';
  o.reason = verdict.reason;
  if (verdict.ecsRollback) {
    o.rollback = {
      by: 'ecs',
      deploymentId: verdict.ecsRollback.deploymentId,
      taskDefinitionArn: verdict.ecsRollback.taskDefinition,
      outcome: 'started',
    };
    o.status = 'rolled-back';
  }
}

async function diagnose(o: ServiceOutcome, clients: AwsClients): Promise<void> {
  try {
    o.diagnosis = await diagnoseDeployment(clients.ecs, o.target.cluster, o.target.service, o.deploymentId!);
  } catch (err) {
    core.warning(`${o.target.service}: could not read why the deployment failed: ${(err as Error).message}`);
    return;
  }
  const d = o.diagnosis;
  core.info(`${o.target.service}: ${o.reason}`);
  for (const t of d.stoppedTasks) core.info(`  stopped ${describeStoppedTask(t)}`);
  for (const e of d.healthCheckEvents) core.info(`  health check: ${e}`);
  core.info('  last service events:');
  for (const e of d.lastEvents) core.info(`    ${e}`);
}

/**
 * Roll back every failed service alone, then watch all rollbacks with one poller. ECS's own
 * rollback is followed, not repeated; the action rolls back only where ECS did not.
 */
async function rollBack(
  failed: ServiceOutcome[],
  settings: RollingDeploySettings,
  clients: AwsClients,
  undo: {
    journal: Journal;
    steps: Map<ServiceOutcome, Extract<Step, { kind: 'service' }>>;
    signal: AbortSignal;
  },
): Promise<void> {
  const watched: ServiceOutcome[] = [];
  for (const o of failed) {
    const step = undo.steps.get(o)!;
    if (o.rollback?.by === 'ecs') {
      // ECS put the service back itself: nothing is left to undo, only to follow.
      undo.journal.settle(step);
      core.info(
        `${o.target.service}: ECS is rolling back to ${familyRevision(o.rollback.taskDefinitionArn)}; following it.`,
      );
      watched.push(o);
      continue;
    }
    if (!settings.rolling.rollbackOnFailure) continue;
    const previous = o.prepared.previousArn;
    if (!previous || previous === o.prepared.arn) {
      core.info(`${o.target.service}: no earlier revision to roll back to.`);
      continue;
    }
    try {
      // The failure rollback is the journal's own undo of this service's step.
      const undone = await undo.journal.undoStep(step);
      if (!undone.deploymentId) {
        throw new Error(`Rolling back "${o.target.service}": the answer names no PRIMARY deployment.`);
      }
      const started = { deploymentId: undone.deploymentId };
      o.rollback = {
        by: 'action',
        deploymentId: started.deploymentId,
        taskDefinitionArn: previous,
        outcome: 'started',
      };
      o.status = 'rolled-back';
      core.info(
        `${o.target.service}: rolling back to ${familyRevision(previous)} (deployment ${started.deploymentId}).`,
      );
      watched.push(o);
    } catch (err) {
      o.status = 'rollback-failed';
      o.rollback = { by: 'action', deploymentId: '', taskDefinitionArn: previous, outcome: 'failed' };
      o.rollback.reason = (err as Error).message;
      core.info(`${o.target.service}: ${o.rollback.reason}`);
    }
  }
  if (!watched.length) return;
  const results = await watchDeployments(
    clients.ecs,
    watched.map((o) => ({
      cluster: o.target.cluster,
      service: o.target.service,
      deploymentId: o.rollback!.deploymentId,
      whose: `the previous revision's (${familyRevision(o.rollback!.taskDefinitionArn)}), ${o.rollback!.by === 'ecs' ? 'ECS rolled back' : 'rolled back by the action'}`,
    })),
    watchOptionsFrom(settings, undo.signal),
  );
  for (const [i, r] of results.entries()) {
    const o = watched[i]!;
    const rollback = o.rollback!;
    o.finishedAt = Date.now();
    if (r.verdict.state === 'succeeded') {
      rollback.outcome = 'completed';
    } else {
      rollback.outcome = 'failed';
      rollback.reason = r.verdict.reason;
      o.status = 'rollback-failed';
    }
  }
}

/**
 * The service's deployment history (tags on the service) gets what is live now: the new revision
 * after a success, or the old one after a rollback, marking the new one as bad. The rollback
 * command picks the last known good revision from it.
 */
async function record(o: ServiceOutcome, clients: AwsClients, run: RunContext): Promise<void> {
  if (!o.serviceArn || !o.prepared.arn) return;
  const entry =
    o.status === 'succeeded'
      ? entryForThisRun(run, o.prepared.arn)
      : entryForThisRun(run, o.rollback!.taskDefinitionArn, {
          replacedArn: o.prepared.arn,
          reason: o.reason ?? 'failed',
        });
  try {
    await recordHistory(clients.ecs, o.serviceArn, entry);
    core.info(
      o.status === 'succeeded'
        ? `${o.target.service}: ${entry.taskDefinition} recorded as last known good.`
        : `${o.target.service}: rollback from ${entry.replaced} to ${entry.taskDefinition} recorded.`,
    );
  } catch (err) {
    // The deploy itself is decided; a missing history entry only weakens a later rollback.
    core.warning((err as Error).message);
  }
}
