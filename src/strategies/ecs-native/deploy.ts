/**
 * The ECS-native release (`strategy: ecs-blue-green`): one service, ECS shifts the traffic. The
 * action sets the deployment configuration (strategy, bake, alarms, its PAUSE hook beside the
 * user's hooks), registers the revision and updates the service in one call, then drives ECS's
 * service deployment through its lifecycle stages:
 * - at POST_TEST_TRAFFIC_SHIFT (the new revision has all test traffic, none of production) it
 *   runs the smoke tests through the test listener rule, then continues or rolls back;
 * - at each PRE_PRODUCTION_TRAFFIC_SHIFT it holds the step pause, checks the alarms and the
 *   metric gates of the traffic since the previous shift, then continues or rolls back;
 * - it watches the bake that ECS runs (ECS's deployment alarms, and its own alarm watch, which
 *   stops the deployment with ECS's rollback).
 * The UpdateService is one journal step whose undo is StopServiceDeployment with rollback, so a
 * failure, a cancel and the post step all end the same way.
 */
import * as core from '@actions/core';
import type { ServiceDeployment } from '@aws-sdk/client-ecs';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { AlarmWatch, describeFiring, missingAlarms, readAlarms } from '../../aws/alarms.js';
import { familyRevision, resourceId, targetGroupName } from '../../aws/arn.js';
import type { AwsClients } from '../../aws/clients.js';
import {
  continueServiceDeployment,
  describeServiceDeployment,
  isFinished,
  newestServiceDeployment,
  stopWithRollback,
} from '../../aws/service-deployments.js';
import { entryForThisRun, recordHistory } from '../../history/history.js';
import { isCancelled, sleep } from '../../release/cancel.js';
import type { Journal, UndoReport } from '../../release/journal.js';
import { LOCK_TTL_MS, listenerOf, takeLocks } from '../../release/lock.js';
import type { PhaseLog } from '../../release/phase-log.js';
import type { ReleaseRunner } from '../../release/runner.js';
import type { NativeSettings } from '../../settings/native.js';
import type { NativeDeploySettings } from '../../settings/settings.js';
import { runSmokeTests, type SmokeResult } from '../../smoke/smoke.js';
import { runSmokeCommand } from '../../smoke/smoke-command.js';
import type { TaskDefinitionInput } from '../../taskdef/normalize.js';
import { type PreparedTaskDefinition, prepareTaskDefinition } from '../../taskdef/prepare.js';
import type { ReleaseStatus, TrafficEvent } from '../blue-green/deploy.js';
import { type GateResult, judgeWindow } from '../blue-green/gates.js';
import type { Side } from '../blue-green/topology.js';
import { releaseConfiguration, withoutOurHook } from './configuration.js';
import { AlarmFiredError, RefusedError } from './errors.js';
import { type NativeSetup, readNativeSetup } from './preflight.js';

/** The outcomes of a blue-green release except "superseded", which only a blue-green idle side reports. */
export type NativeStatus = Exclude<ReleaseStatus, 'superseded'>;

/** One line of the traffic log, timed like a blue-green release's. */
export type NativeEvent = TrafficEvent;

export interface NativeOutcome {
  status: NativeStatus;
  reason?: string;
  setup?: NativeSetup;
  prepared?: PreparedTaskDefinition;
  serviceDeploymentArn?: string;
  /** ECS's final record of the deployment. */
  final?: ServiceDeployment;
  trafficShifted: boolean;
  rolledBack: boolean;
  smoke: SmokeResult[];
  /** Metric-gate readings of each held production step. */
  gates: GateResult[];
  events: NativeEvent[];
  phaseLog: PhaseLog;
  undo?: UndoReport;
  /** From noticing a firing alarm to ECS's rollback restoring production weights (wall ms, without propagation). */
  alarmToRestoredMs?: number;
  /** From the failed smoke test to the rollback request (wall ms). */
  smokeToRollbackMs?: number;
  notes: string[];
}

/** `deploy` with `strategy: ecs-blue-green`, with cancellation armed and the release recorded in the history. */
export async function deployNative(
  settings: NativeDeploySettings,
  clients: AwsClients,
  rendered: TaskDefinitionInput | undefined,
  runner: ReleaseRunner,
): Promise<NativeOutcome> {
  const outcome = await releaseNative(settings, clients, rendered, runner);
  const { setup, prepared } = outcome;
  if (outcome.status === 'deployed' && prepared?.arn && setup) {
    await runner.journal
      .final('record the release in the deployment history', () =>
        recordHistory(clients.ecs, setup.serviceArn, entryForThisRun(settings.run, prepared.arn!)),
      )
      .catch((err: Error) =>
        core.warning(
          `The release succeeded, but recording it in the deployment history failed: ${err.message}`,
        ),
      );
  }
  return outcome;
}

export async function releaseNative(
  settings: NativeDeploySettings,
  clients: AwsClients,
  rendered: TaskDefinitionInput | undefined,
  { journal, phases, signal }: ReleaseRunner,
): Promise<NativeOutcome> {
  const native = settings.native;
  const target = settings.targets[0]!;
  const started = Date.now();
  const outcome: NativeOutcome = {
    status: 'failed',
    trafficShifted: false,
    rolledBack: false,
    smoke: [],
    gates: [],
    events: [],
    phaseLog: phases,
    notes: [],
  };
  const event = (text: string) => {
    outcome.events.push({ atMs: Date.now() - started, text });
    core.info(text);
  };
  const alarms = new AlarmWatch(clients.cloudwatch, native.alarms);
  let updated = false;
  try {
    const { setup, alarmNames } = await phases.run('Pre-flight', async () => {
      const setup = await readNativeSetup(clients, target.cluster, native);
      outcome.setup = setup;
      core.info(
        `${native.service}: ${setup.desiredCount} tasks of ${familyRevision(setup.taskDefinition)} serving from ${groupName(setup.liveGroup)}; the new revision starts in ${groupName(setup.newGroup)}.`,
      );
      return { setup, alarmNames: await checkAlarms(clients, native, alarms) };
    });
    // A new revision changes nothing that runs: a journal step with nothing to undo.
    const prepared = await phases.run('Register task definition', () =>
      journal.final('register the task definition', () =>
        prepareTaskDefinition(clients, target, {
          dryRun: settings.dryRun,
          pinImageDigests: settings.pinImageDigests,
          rendered,
        }),
      ),
    );
    outcome.prepared = prepared;
    if (settings.dryRun) {
      outcome.status = 'dry-run';
      outcome.reason = `would deploy ${prepared.family} to ${native.service} with ECS ${native.shift.strategy}`;
      return outcome;
    }
    if (prepared.arn === setup.taskDefinition) {
      outcome.status = 'unchanged';
      outcome.reason = `${native.service} already runs ${familyRevision(setup.taskDefinition)}; nothing to release`;
      return outcome;
    }
    await phases.run('Deploy lock', () => takeLock(clients, settings, setup, journal, signal));

    const configuration = releaseConfiguration(
      setup.deploymentConfiguration,
      native,
      alarmNames,
      settings.timeoutMs,
    );
    await phases.run('Start ECS deployment', async () => {
      await journal.perform(
        {
          kind: 'native-deployment',
          cluster: setup.cluster,
          service: native.service,
          previousConfiguration: setup.deploymentConfiguration,
        },
        async () => {
          updated = true;
          await clients.ecs
            .send(
              new UpdateServiceCommand({
                cluster: setup.cluster,
                service: native.service,
                taskDefinition: prepared.arn,
                desiredCount: target.desiredCount,
                deploymentConfiguration: configuration,
                loadBalancers: [setup.loadBalancer],
              }),
            )
            .catch((err: Error) => {
              throw new Error(
                `Updating ${native.service} to start the ECS deployment: ${err.name}: ${err.message}`,
              );
            });
        },
      );
      outcome.serviceDeploymentArn = await newestServiceDeployment(
        clients.ecs,
        setup.cluster,
        native.service,
      );
      if (!outcome.serviceDeploymentArn) throw new Error('ECS started no service deployment.');
      event(
        `${native.service}: ECS ${native.shift.strategy} deployment of ${familyRevision(prepared.arn ?? '')} started (${resourceId(outcome.serviceDeploymentArn)}).`,
      );
    });

    const final = await drive(clients, settings, setup, outcome, alarms, event, signal, phases, journal);
    outcome.final = final;
    if (final.status !== 'SUCCESSFUL') {
      throw new Error(
        outcome.reason ??
          `ECS ended the deployment ${final.status}: ${final.rollback?.reason ?? final.statusReason ?? 'no reason given'}`,
      );
    }
    journal.commit();
    outcome.status = 'deployed';
    event(
      `ECS finished the deployment: ${familyRevision(prepared.arn ?? '')} serves production from ${groupName(setup.newGroup)}.`,
    );
    await removeOurHook(clients, journal, setup, native.service, configuration);
    outcome.undo = await journal.undo(core.info);
    return outcome;
  } catch (err) {
    return await failRelease(err, outcome, journal, updated);
  }
}

function groupName(arn: string): string {
  return targetGroupName(arn);
}

/** Alarms must exist and be quiet (unless told to proceed); returns the names ECS should watch. */
async function checkAlarms(
  clients: AwsClients,
  native: NativeSettings,
  watch: AlarmWatch,
): Promise<string[]> {
  if (native.alarms.length === 0) return [];
  const reading = await readAlarms(clients.cloudwatch, native.alarms);
  const missing = missingAlarms(native.alarms, reading);
  if (missing.length) {
    throw new RefusedError(
      `Alarm${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in CloudWatch (input "alarms"); nothing was changed.`,
    );
  }
  const firing = reading.firing.map((a) => a.name);
  if (firing.length && !native.proceedOnAlarm) {
    throw new RefusedError(
      `Alarm already in ALARM: ${describeFiring(reading.firing)}. The release was refused and nothing was changed (set "proceed-on-alarm" to release anyway).`,
    );
  }
  watch.ignore(firing);
  // ECS fails a deployment on any named alarm in ALARM: only the quiet ones are handed to it.
  return reading.found.filter((n) => !firing.includes(n));
}

/** The release lock of the production listener, as the blue-green mode takes it; every later undo checks it first. */
async function takeLock(
  clients: AwsClients,
  settings: NativeDeploySettings,
  setup: NativeSetup,
  journal: Journal,
  signal: AbortSignal,
): Promise<void> {
  try {
    const [lock] = await takeLocks(
      clients.elb,
      journal,
      [listenerOf(setup.productionRule)],
      `${setup.cluster}/${settings.native.service}`,
      settings.run,
      { timeoutMs: settings.lockTimeoutMs, ttlMs: LOCK_TTL_MS, signal, log: core.info, warn: core.warning },
    );
    if (lock) core.info(`Release lock taken (listener rule ${lock.ruleArn}).`);
  } catch (err) {
    if ((err as Error).name === 'LockHeldError') throw new RefusedError((err as Error).message);
    throw err;
  }
}

/**
 * Poll the service deployment until ECS finishes it, acting on this action's paused hooks.
 * Returns ECS's final record.
 */
async function drive(
  clients: AwsClients,
  settings: NativeDeploySettings,
  setup: NativeSetup,
  outcome: NativeOutcome,
  alarms: AlarmWatch,
  event: (text: string) => void,
  signal: AbortSignal,
  phases: PhaseLog,
  journal: Journal,
): Promise<ServiceDeployment> {
  const native = settings.native;
  const arn = outcome.serviceDeploymentArn!;
  const handled = new Set<string>();
  const deadline = Date.now() + settings.timeoutMs;
  let stage: string | undefined;
  let stageSeen: string | undefined;
  let shiftedTo = 0;
  let preProduction = 0;
  let lastShiftAt = new Date();
  let rollbackRequested = false;
  const rollback = async (hookId: string | undefined, reason: string) => {
    outcome.reason = reason;
    rollbackRequested = true;
    // ECS's own rollback, asked for before the journal's undo (which stops it too, idempotently).
    await journal.final('ask ECS to roll back its deployment', () =>
      hookId
        ? continueServiceDeployment(clients.ecs, arn, hookId, 'ROLLBACK')
        : stopWithRollback(clients.ecs, arn),
    );
    event(`Rollback requested: ${reason}`);
  };
  for (;;) {
    signal.throwIfAborted();
    const d = await describeServiceDeployment(clients.ecs, arn);
    const weight = d.targetServiceRevision?.requestedProductionTrafficWeight ?? 0;
    // A new stage, or the same stage at another step (linear and canary repeat the shift stages).
    const seen = `${d.lifecycleStage} ${weight}`;
    if (seen !== stageSeen) {
      stageSeen = seen;
      stage = d.lifecycleStage;
      if (weight > 0 && weight !== shiftedTo) {
        outcome.trafficShifted = true;
        shiftedTo = weight;
        lastShiftAt = new Date();
      }
      if (stage) {
        event(
          `ECS stage ${stage} (production ${weight}% / test ${d.targetServiceRevision?.requestedTestTrafficWeight ?? 0}% on the new revision).`,
        );
      }
    }
    if (isFinished(d)) return d;
    if (Date.now() > deadline) {
      await rollback(
        undefined,
        `The ECS deployment did not finish within the timeout (${Math.round(settings.timeoutMs / 1000)} s); stopped with rollback.`,
      );
      return await waitFinished(clients, arn, settings.pollIntervalMs, signal);
    }
    const paused = rollbackRequested
      ? undefined
      : (d.lifecycleHookDetails ?? []).find(
          (h) =>
            h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION' && h.hookId && !handled.has(h.hookId),
        );
    if (paused?.hookId && stage === 'POST_TEST_TRAFFIC_SHIFT') {
      handled.add(paused.hookId);
      const failure = await phases.run('Smoke tests', () => smoke(native, outcome, signal));
      if (failure) {
        const failedAt = Date.now();
        await rollback(paused.hookId, failure);
        outcome.smokeToRollbackMs = Date.now() - failedAt;
      } else {
        await journal.final('let ECS continue to production', () =>
          continueServiceDeployment(clients.ecs, arn, paused.hookId!, 'CONTINUE'),
        );
        event('Smoke tests passed through the test listener rule; ECS continues to production.');
      }
      continue;
    }
    if (paused?.hookId && stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT') {
      handled.add(paused.hookId);
      const step = preProduction++;
      const weight = d.targetServiceRevision?.requestedProductionTrafficWeight ?? 0;
      const verdict = await phases.run(`Gate before production step ${step + 1} (${weight}% now)`, () =>
        gate(
          clients,
          settings,
          setup,
          alarms,
          step > 0 ? lastShiftAt : undefined,
          weight,
          signal,
          outcome.gates,
        ),
      );
      if (verdict) {
        await rollback(paused.hookId, verdict.message);
        if (verdict instanceof AlarmFiredError)
          await timeRestore(clients, arn, verdict.seenAt, outcome, signal, settings.pollIntervalMs);
      } else
        await journal.final('let ECS continue its next production step', () =>
          continueServiceDeployment(clients.ecs, arn, paused.hookId!, 'CONTINUE'),
        );
      continue;
    }
    // While production traffic is on the new revision (shift, bake), alarms end it at once.
    if (
      !rollbackRequested &&
      (stage === 'PRODUCTION_TRAFFIC_SHIFT' ||
        stage === 'POST_PRODUCTION_TRAFFIC_SHIFT' ||
        stage === 'BAKE_TIME')
    ) {
      const firing = await alarms.firing();
      if (firing.length) {
        const seenAt = Date.now();
        await rollback(undefined, `Alarm in ALARM during ${stage}: ${describeFiring(firing)}.`);
        await timeRestore(clients, arn, seenAt, outcome, signal, settings.pollIntervalMs);
        continue;
      }
    }
    await sleep(settings.pollIntervalMs, signal);
  }
}

async function waitFinished(clients: AwsClients, arn: string, pollMs: number, signal: AbortSignal) {
  for (;;) {
    const d = await describeServiceDeployment(clients.ecs, arn);
    if (isFinished(d)) return d;
    await sleep(pollMs, signal);
  }
}

/** Alarm seen → ECS reports production weight 0 on the new revision again. */
async function timeRestore(
  clients: AwsClients,
  arn: string,
  seenAt: number,
  outcome: NativeOutcome,
  signal: AbortSignal,
  pollMs: number,
) {
  for (let i = 0; i < 200; i++) {
    const d = await describeServiceDeployment(clients.ecs, arn);
    if ((d.targetServiceRevision?.requestedProductionTrafficWeight ?? 0) === 0 || isFinished(d)) {
      outcome.alarmToRestoredMs = Date.now() - seenAt;
      return;
    }
    await sleep(Math.min(pollMs, 100), signal);
  }
}

/** The HTTP smoke tests and the smoke command through the test rule; the failure, or undefined. */
async function smoke(
  native: NativeSettings,
  outcome: NativeOutcome,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (!native.testUrl || (native.smokeTests.length === 0 && !native.smokeCommand)) return undefined;
  const deadline = Date.now() + native.smokeTimeoutMs;
  outcome.smoke = await runSmokeTests(native.testUrl, native.smokeTests, {
    timeoutMs: native.smokeTimeoutMs,
    log: core.info,
    signal,
  });
  if (native.smokeCommand && outcome.smoke.every((r) => r.ok)) {
    outcome.smoke.push(
      await runSmokeCommand(native.smokeCommand, {
        testUrl: native.testUrl,
        passEnv: native.smokeCommandEnv,
        timeoutMs: Math.max(1, deadline - Date.now()),
        log: core.info,
        signal,
      }),
    );
  }
  const failed = outcome.smoke.find((r) => !r.ok);
  return failed
    ? `Smoke test failed: ${failed.request} expected ${failed.expected}, got ${failed.got} (after ${failed.attempts} attempt${failed.attempts > 1 ? 's' : ''}). Production never received the new version.`
    : undefined;
}

/**
 * Before a production step: hold the step pause (not before the first step), watching the
 * alarms; then the metric gates over the new group's traffic since the last shift. Returns the
 * reason to roll back, or undefined to continue.
 */
async function gate(
  clients: AwsClients,
  settings: NativeDeploySettings,
  setup: NativeSetup,
  alarms: AlarmWatch,
  since: Date | undefined,
  weight: number,
  signal: AbortSignal,
  gates: GateResult[],
): Promise<Error | undefined> {
  const native = settings.native;
  const check = async (when: string) => {
    const firing = await alarms.firing();
    return firing.length
      ? new AlarmFiredError(`Alarm in ALARM ${when}: ${describeFiring(firing)}.`, Date.now())
      : undefined;
  };
  if (since) {
    const until = Date.now() + native.stepPauseMs;
    for (;;) {
      const fired = await check(`while ${weight}% of production was on the new revision`);
      if (fired) return fired;
      const left = until - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(settings.pollIntervalMs, left), signal);
    }
    // The two-service mode's gate: complete, published minutes of the new group's traffic since
    // the shift, waiting up to "metric-wait" for one; "metric-no-data" decides without.
    const side = (color: 'blue' | 'green', targetGroupArn: string): Side => ({
      color,
      service: native.service,
      serviceArn: setup.serviceArn,
      targetGroupArn,
      desiredCount: setup.desiredCount,
      taskDefinition: setup.taskDefinition,
      raw: setup.service,
    });
    const result = await judgeWindow(
      clients,
      {
        ...native,
        listener: setup.productionRule,
        services: { blue: native.service, green: native.service },
        targetGroups: {},
        scaleDownDelayMs: 0,
      },
      alarms,
      { idle: side('green', setup.newGroup), live: side('blue', setup.liveGroup) },
      { label: `pause after ${weight}%`, start: since, pollMs: settings.pollIntervalMs, signal },
    );
    if (result) gates.push(result);
    if (result?.verdict === 'failed') {
      return new Error(`Metric check after ${weight}% on the new revision failed: ${result.detail}.`);
    }
  }
  return await check('before the next production step');
}

/** After a successful release: this action's hook off the service, so later deployments do not pause. */
async function removeOurHook(
  clients: AwsClients,
  journal: Journal,
  setup: NativeSetup,
  service: string,
  configuration: ReturnType<typeof releaseConfiguration>,
) {
  const clean = withoutOurHook(configuration);
  await journal
    .perform(
      { kind: 'deployment-configuration', cluster: setup.cluster, service, configuration: clean },
      () =>
        clients.ecs.send(
          new UpdateServiceCommand({ cluster: setup.cluster, service, deploymentConfiguration: clean }),
        ),
    )
    .then(() => journal.commit())
    .catch((err: Error) => {
      core.warning(
        `The release succeeded, but removing this action's pause hook failed (the post step retries): ${err.message}`,
      );
    });
}

async function failRelease(
  err: unknown,
  outcome: NativeOutcome,
  journal: Journal,
  updated: boolean,
): Promise<NativeOutcome> {
  const cancelled = isCancelled(err);
  outcome.reason = outcome.reason ?? (err as Error).message;
  if (err instanceof RefusedError) outcome.status = 'refused';
  else if (cancelled) outcome.status = 'cancelled';
  else outcome.status = updated ? 'rolled-back' : 'failed';
  // No annotation here: main fails the step once, with this reason in its message.
  const undo = await journal.undo(core.info);
  outcome.undo = undo;
  const final = outcome.final?.status;
  outcome.rolledBack =
    updated &&
    undo.failed.length === 0 &&
    (final === undefined || final === 'ROLLBACK_SUCCESSFUL' || cancelled);
  if (outcome.status === 'rolled-back' && !outcome.rolledBack) outcome.status = 'failed';
  if (undo.failed.length)
    outcome.notes.push(...undo.failed, 'The post step retries what could not be undone.');
  return outcome;
}
