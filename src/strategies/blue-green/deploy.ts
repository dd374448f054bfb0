/**
 * The blue-green release: deploy the idle side beside the live one, test it directly, move
 * production traffic to it (at once or in steps), watch alarms through a bake window, then
 * retire the old side. Any failure after the idle side started changing walks the journal
 * backwards: production weights back in one call, the idle side scaled back down.
 *
 * Order that keeps every request alive: weight only moves to a target group whose registered
 * targets are all healthy; the old side is scaled down only after its weight is zero and its
 * deregistration delay has passed.
 */
import { setTimeout } from 'node:timers/promises';
import * as core from '@actions/core';
import { AlarmWatch } from '../../aws/alarms.js';
import { familyRevision } from '../../aws/arn.js';
import { type Bounds, readBounds, resourceIdOf } from '../../aws/autoscaling.js';
import type { AwsClients } from '../../aws/clients.js';
import { describeHolder } from '../../aws/lock-rule.js';
import { preflightMessage, preflightProblems } from '../../aws/preflight.js';
import { allHealthy, describeHealth, readTargetHealth } from '../../aws/target-health.js';
import { describeWeights, split, targetGroupName, weightsOf, writeWeights } from '../../aws/traffic.js';
import { createdAtOf, startDeployment } from '../../aws/update-service.js';
import { entryForThisRun, recordHistory } from '../../history/history.js';
import { isCancelled } from '../../release/cancel.js';
import type { Journal, UndoReport } from '../../release/journal.js';
import type { PhaseLog } from '../../release/phase-log.js';
import type { ReleaseRunner } from '../../release/runner.js';
import type { Step } from '../../release/steps.js';
import type { BlueGreenDeploySettings, RunContext } from '../../settings/settings.js';
import { formatDuration } from '../../settings/values.js';
import { runSmokeTests, type SmokeResult } from '../../smoke/smoke.js';
import { runSmokeCommand } from '../../smoke/smoke-command.js';
import type { TaskDefinitionInput } from '../../taskdef/normalize.js';
import { type PreparedTaskDefinition, prepareTaskDefinition } from '../../taskdef/prepare.js';
import { prepareBounds } from './autoscaling-hand-over.js';
import { createIdleService, idleServiceInput } from './create-idle.js';
import { AlarmFiredError, RefusedError, SupersededError } from './errors.js';
import { type GateResult, judgeWindow } from './gates.js';
import { retireOldSide } from './retire-old-side.js';
import { takeLock } from './take-lock.js';
import { type Color, productionRouteStep, readTopology, type Side, type Topology } from './topology.js';
import { waitForDeployment, waitForHealthyTargets } from './wait-idle.js';
import { assertNoAlarm, checkAlarmsBeforeStart, watchRelease } from './watch.js';

export type ReleaseStatus =
  | 'deployed'
  | 'unchanged'
  | 'dry-run'
  | 'refused'
  | 'rolled-back'
  | 'cancelled'
  | 'superseded'
  | 'failed';

export interface TrafficEvent {
  /** Wall ms since the release started. */
  atMs: number;
  text: string;
}

export interface ReleaseOutcome {
  status: ReleaseStatus;
  reason?: string;
  previousColor?: Color;
  liveColor?: Color;
  trafficShifted: boolean;
  rolledBack: boolean;
  smoke: SmokeResult[];
  prepared?: PreparedTaskDefinition;
  topology?: Topology;
  events: TrafficEvent[];
  undo?: UndoReport;
  /** From noticing a firing alarm to production weights restored (wall ms). */
  alarmToRestoredMs?: number;
  phaseLog: PhaseLog;
  /** Work the release left for later (the post step or a human). */
  notes: string[];
  /** Each gated window's metrics and verdict, "no data" included. */
  gates: GateResult[];
  /** The newer deployment that replaced ours on the idle side (status `superseded`): left alone. */
  supersededBy?: { deploymentId: string; taskDefinitionArn: string };
}

/**
 * `deploy` with `strategy: blue-green`, in a release runner whose cancellation restores
 * production traffic at once (`undo-now`); a deployed release is recorded in the pair's history.
 */
export async function deployBlueGreen(
  settings: BlueGreenDeploySettings,
  clients: AwsClients,
  rendered: TaskDefinitionInput | undefined,
  runner: ReleaseRunner,
): Promise<ReleaseOutcome> {
  const outcome = await releaseBlueGreen(settings, clients, rendered, runner);
  await recordRelease(clients, runner.journal, settings.run, outcome);
  return outcome;
}

/**
 * A deployed release goes into the pair's deployment history (on the blue service, whatever
 * colour is live), so `command: rollback` can find the last known good revision.
 */
async function recordRelease(
  clients: AwsClients,
  journal: Journal,
  run: RunContext,
  outcome: ReleaseOutcome,
): Promise<void> {
  const arn = outcome.prepared?.arn;
  const blue = outcome.topology?.blue.serviceArn;
  if (outcome.status !== 'deployed' || !arn || !blue) return;
  await journal
    .final('record the release in the deployment history', () =>
      recordHistory(clients.ecs, blue, entryForThisRun(run, arn)),
    )
    .catch((err: Error) => {
      core.warning(
        `The release succeeded, but recording it in the deployment history failed: ${err.message}`,
      );
    });
}

export async function releaseBlueGreen(
  settings: BlueGreenDeploySettings,
  clients: AwsClients,
  rendered: TaskDefinitionInput | undefined,
  runner: ReleaseRunner,
): Promise<ReleaseOutcome> {
  const started = Date.now();
  const outcome: ReleaseOutcome = {
    status: 'failed',
    trafficShifted: false,
    rolledBack: false,
    smoke: [],
    events: [],
    phaseLog: runner.phases,
    notes: [],
    gates: [],
  };
  const r: Release = {
    settings,
    clients,
    ...runner,
    bg: settings.blueGreen,
    target: settings.targets[0]!,
    outcome,
    event: (text: string) => {
      outcome.events.push({ atMs: Date.now() - started, text });
      core.info(text);
    },
    alarms: new AlarmWatch(clients.cloudwatch, settings.blueGreen.alarms),
    scaledUp: false,
    started,
  };
  try {
    const topology = await preflight(r);
    const prepared = await lockAndRegister(r, topology, rendered);
    if (!prepared) return outcome;
    const idle = topology.missing ? await createMissingSide(r, topology) : topology.idle;
    r.signal.throwIfAborted();
    const capacity = r.target.desiredCount ?? topology.live.desiredCount;
    const liveBounds = await readBounds(
      clients.autoscaling,
      resourceIdOf(topology.cluster, topology.live.service),
    );
    await scaleUp(r, topology, idle, { newArn: prepared.arn!, capacity, liveBounds });
    if (r.bg.smokeTests.length > 0 || r.bg.smokeCommand) await smokeTest(r, topology, idle);
    const lastShiftAt = await shiftTraffic(r, topology, idle, capacity);
    if (r.bg.bakeTimeMs > 0) await bake(r, topology, idle);
    return await finish(r, topology, idle, { hasAutoscaling: liveBounds !== undefined, lastShiftAt });
  } catch (err) {
    return await failRelease(err, outcome, runner.journal, r.scaledUp);
  }
}

/** One release in flight: what every phase reads, and the outcome they fill in. */
interface Release extends ReleaseRunner {
  settings: BlueGreenDeploySettings;
  clients: AwsClients;
  bg: BlueGreenDeploySettings['blueGreen'];
  target: BlueGreenDeploySettings['targets'][number];
  outcome: ReleaseOutcome;
  event: (text: string) => void;
  alarms: AlarmWatch;
  /** Set once the idle side started changing: a failure from then on is a rollback. */
  scaledUp: boolean;
  /** Wall ms the release started: the idle side's health wait counts from it. */
  started: number;
}

/** 1. Pre-flight: read everything, change nothing. */
async function preflight(r: Release): Promise<Topology> {
  const { clients, phases, target, bg, outcome, alarms } = r;
  return phases.run('Pre-flight', async () => {
    const t = await readTopology(clients, target.cluster, bg);
    outcome.topology = t;
    outcome.previousColor = t.live.color;
    outcome.liveColor = t.live.color;
    core.info(
      `Live: ${t.live.color} (${t.live.service}, ${t.live.desiredCount} tasks of ${familyRevision(t.live.taskDefinition)}); idle: ${t.idle.color} (${t.idle.service}). Production weights: ${describeWeights(t.weights)}.`,
    );
    // History goes on the blue service; both sides must be deployable by UpdateService.
    const problems = [t.live, t.idle]
      .filter((s) => !!s.raw.serviceArn)
      .flatMap((s) => preflightProblems(s.raw, { history: s.color === 'blue' }));
    if (problems.length) throw new RefusedError(preflightMessage(problems));
    // The missing side must be creatable as a true copy: refused now, not after the lock.
    if (t.missing)
      idleServiceInput(t.live.raw, t.cluster, t.idle.service, t.idle.targetGroupArn, t.live.targetGroupArn);
    alarms.ignore(await checkAlarmsBeforeStart(clients, bg));
    return t;
  });
}

/**
 * The lock, then the task definition. Returns undefined when the release ends here (a dry run,
 * or nothing to release), with the outcome saying so.
 */
async function lockAndRegister(
  r: Release,
  topology: Topology,
  rendered: TaskDefinitionInput | undefined,
): Promise<PreparedTaskDefinition | undefined> {
  const { settings, clients, journal, phases, signal, target, bg, outcome, event } = r;
  const { live, idle } = topology;
  // The lock comes first: a run that loses it changes nothing at all, not even a new revision.
  // A re-run of what is live already needs no lock: it changes nothing either way.
  if (!settings.dryRun) {
    const planned = await prepareTaskDefinition(
      clients,
      { ...target, service: live.service },
      { dryRun: true, pinImageDigests: settings.pinImageDigests, rendered },
    );
    if (planned.arn === live.taskDefinition) {
      outcome.prepared = planned;
      outcome.status = 'unchanged';
      outcome.reason = `${live.service} (${live.color}, live) already runs ${familyRevision(live.taskDefinition)}; nothing to release`;
      core.info(`Nothing to do: ${outcome.reason}.`);
      return undefined;
    }
  }
  if (!settings.dryRun) {
    await phases.run('Release lock', async () => {
      const lock = await takeLock(clients, topology, settings, journal, signal);
      if (lock.tookOver) event(`Took over the expired release lock of ${describeHolder(lock.tookOver)}.`);
      // Every traffic change and every undo from here on happens only while the lock is ours.
      journal.guard(() => lock.verify());
      // What was read before the lock may be stale: another release may have finished meanwhile.
      const now = await readTopology(clients, target.cluster, bg);
      if (
        now.live.color !== live.color ||
        now.live.taskDefinition !== live.taskDefinition ||
        now.missing !== topology.missing
      ) {
        throw new RefusedError(
          `Another release changed ${live.service} while this one prepared (live now: ${now.live.color} on ${familyRevision(now.live.taskDefinition)}); nothing was changed. Run again to release on top of it.`,
        );
      }
    });
  }

  // A new revision changes nothing that runs: a journal step with nothing to undo.
  const prepared = await phases.run('Register task definition', () =>
    journal.final('register the task definition', () =>
      prepareTaskDefinition(
        clients,
        { ...target, service: live.service },
        { dryRun: settings.dryRun, pinImageDigests: settings.pinImageDigests, rendered },
      ),
    ),
  );
  outcome.prepared = prepared;
  core.info(
    `${prepared.registered ? (settings.dryRun ? 'Would register' : 'Registered') : 'Reusing'} ${prepared.arn ?? prepared.family}.`,
  );
  if (settings.dryRun) {
    outcome.status = 'dry-run';
    outcome.reason = `would deploy ${prepared.family} to ${idle.service} and move production traffic ${describePlan(bg.steps)}`;
    return undefined;
  }
  if (prepared.arn === live.taskDefinition) {
    outcome.status = 'unchanged';
    outcome.reason = `${live.service} (${live.color}, live) already runs ${familyRevision(live.taskDefinition)}; nothing to release`;
    core.info(`Nothing to do: ${outcome.reason}.`);
    // Nothing was changed but the lock: release it now, not when it expires.
    outcome.undo = await journal.undo(core.info);
    return undefined;
  }
  return prepared;
}

/** First release on a single service: the idle side is created from the live one. */
async function createMissingSide(r: Release, topology: Topology): Promise<Side> {
  const { clients, journal, phases, event } = r;
  const { live } = topology;
  const absent = topology.idle;
  const idle = await phases.run(`Create ${absent.service}`, () =>
    // Kept on failure: an idle service with 0 tasks is what the next release expects.
    journal.final(`create ${absent.service}`, () =>
      createIdleService(clients, topology.cluster, live, absent),
    ),
  );
  topology.idle = idle;
  if (idle.color === 'blue') topology.blue = idle;
  event(
    `Created ${idle.service} from ${live.service}'s configuration, with 0 tasks in ${targetGroupName(idle.targetGroupArn)}.`,
  );
  return idle;
}

/** 2. The idle side on the new revision at the live side's capacity. */
async function scaleUp(
  r: Release,
  topology: Topology,
  idle: Side,
  plan: { newArn: string; capacity: number; liveBounds: Bounds | undefined },
): Promise<void> {
  const { settings, clients, journal, phases, signal, target, event } = r;
  const { newArn, capacity, liveBounds } = plan;
  await phases.run(`Scale up ${idle.service}`, async () => {
    r.scaledUp = true;
    // The idle side is held at 0..0 between releases; it needs room for the live capacity
    // before UpdateService, or autoscaling clamps it straight back to 0.
    await prepareBounds(clients, journal, resourceIdOf(topology.cluster, idle.service), (previous) =>
      liveBounds
        ? { ...liveBounds, suspended: false }
        : previous && previous.max < capacity
          ? { ...previous, max: capacity }
          : undefined,
    );
    const idleStep: Extract<Step, { kind: 'service' }> = {
      kind: 'service',
      cluster: topology.cluster,
      service: idle.service,
      desiredCount: idle.desiredCount,
      taskDefinition: idle.taskDefinition,
    };
    const started = await journal.perform(idleStep, async () => {
      const d = await startDeployment(clients.ecs, { ...target, service: idle.service }, newArn, {
        rolling: settings.rolling,
        desiredCount: capacity,
        forceNewDeployment: true,
      });
      // If someone deploys over the idle side meanwhile, the undo leaves their deployment alone.
      journal.amend(idleStep, { deploymentId: d.deploymentId, deploymentCreatedAt: createdAtOf(d) });
      return d;
    });
    event(
      `${idle.service}: deploying ${familyRevision(newArn)} with ${capacity} tasks (deployment ${started.deploymentId}).`,
    );
    await waitForDeployment(clients, settings, topology.cluster, idle, started.deploymentId, signal);
  });

  await phases.run(`Wait for healthy targets in ${idle.color}`, () =>
    waitForHealthyTargets(clients, idle, capacity, settings, r.started, signal),
  );
  event(`${idle.service}: all ${capacity} targets healthy.`);
}

/** 3. Smoke tests through the test route; production has not seen the new version. */
async function smokeTest(r: Release, topology: Topology, idle: Side): Promise<void> {
  const { clients, journal, phases, signal, bg, outcome, event } = r;
  const { live } = topology;
  await phases.run('Smoke tests', async () => {
    if (topology.testRoute) {
      const testRoute = topology.testRoute;
      const before = weightsOf(testRoute);
      const weights = Object.fromEntries([
        ...Object.keys(before).map((arn) => [arn, 0] as const),
        [live.targetGroupArn, 0],
        [idle.targetGroupArn, 1],
      ]);
      await journal.perform(
        { kind: 'route', role: 'test', arn: testRoute.arn, weights: before, actions: testRoute.actions },
        () => writeWeights(clients.elb, testRoute, weights),
      );
      event(`Test ${testRoute.kind} now forwards to ${idle.color}.`);
      // Smoke requests sent before the change reached the load balancer would test the live side.
      const moved = Object.entries(weights).some(([arn, w]) => (before[arn] ?? 0) !== w);
      if (moved && bg.routeSettleMs > 0) {
        core.info(
          `Test ${testRoute.kind} changed: waiting ${(bg.routeSettleMs / 1000).toFixed(1)}s for the load balancer to route by it.`,
        );
        await setTimeout(bg.routeSettleMs, undefined, { signal });
      }
    }
    const smokeDeadline = Date.now() + bg.smokeTimeoutMs;
    outcome.smoke = await runSmokeTests(bg.testUrl!, bg.smokeTests, {
      timeoutMs: bg.smokeTimeoutMs,
      log: core.info,
      signal,
    });
    if (bg.smokeCommand && outcome.smoke.every((r) => r.ok)) {
      core.info(`Running smoke command with TEST_URL=${bg.testUrl}: ${bg.smokeCommand}`);
      outcome.smoke.push(
        await runSmokeCommand(bg.smokeCommand, {
          testUrl: bg.testUrl!,
          passEnv: bg.smokeCommandEnv,
          timeoutMs: Math.max(1, smokeDeadline - Date.now()),
          log: core.info,
          signal,
        }),
      );
    }
    const failed = outcome.smoke.find((r) => !r.ok);
    if (failed) {
      throw new Error(
        `Smoke test failed: ${failed.request} expected ${failed.expected}, got ${failed.got} (after ${failed.attempts} attempt${failed.attempts > 1 ? 's' : ''}). Production never received the new version.`,
      );
    }
  });
}

/** 4. Shift production traffic, step by step, each gated by health and alarms. Returns when the last shift was. */
async function shiftTraffic(r: Release, topology: Topology, idle: Side, capacity: number): Promise<number> {
  const { settings, clients, journal, phases, signal, bg, outcome, event, alarms } = r;
  const { live } = topology;
  let lastShiftAt = Date.now();
  for (const [i, percent] of bg.steps.entries()) {
    const last = i === bg.steps.length - 1;
    const label = `Traffic ${percent}% to ${idle.color}`;
    await phases.run(label, async () => {
      const health = await readTargetHealth(clients.elb, idle.targetGroupArn);
      if (!allHealthy(health, capacity)) {
        throw new Error(
          `Not moving traffic to ${idle.color}: its targets are not all healthy (${describeHealth(health)}).`,
        );
      }
      await assertNoAlarm(alarms, `before moving ${percent}% of traffic`);
      const weights = split(live.targetGroupArn, idle.targetGroupArn, percent);
      // Every step goes back to the weights before the release; the undo does that once.
      await journal.perform(productionRouteStep(topology, bg.routeSettleMs), () =>
        writeWeights(clients.elb, topology.route, weights),
      );
      outcome.trafficShifted = true;
      lastShiftAt = Date.now();
      event(`Production: ${percent}% on ${idle.color} (${describeWeights(weights)}).`);
      if (!last) {
        const stepStart = new Date();
        await watchRelease(
          clients,
          alarms,
          idle,
          bg.stepPauseMs,
          settings.pollIntervalMs,
          `pause after ${percent}%`,
          signal,
        );
        const gate = await judgeWindow(
          clients,
          bg,
          alarms,
          { idle, live },
          {
            label: `pause after ${percent}%`,
            start: stepStart,
            pollMs: settings.pollIntervalMs,
            signal,
          },
        );
        if (gate) outcome.gates.push(gate);
        if (gate?.verdict === 'failed')
          throw new Error(`Metric check after ${percent}% on ${idle.color} failed: ${gate.detail}.`);
      }
    });
  }

  return lastShiftAt;
}

/** 5. Bake: alarms and the new side's targets watched, its metrics judged over the window. */
async function bake(r: Release, topology: Topology, idle: Side): Promise<void> {
  const { settings, clients, phases, signal, bg, outcome, alarms } = r;
  const { live } = topology;
  await phases.run(`Bake ${formatDuration(bg.bakeTimeMs)}`, async () => {
    const bakeStart = new Date();
    await watchRelease(clients, alarms, idle, bg.bakeTimeMs, settings.pollIntervalMs, 'bake', signal);
    // The last step has no pause of its own: the bake window is where its metrics are judged.
    const gate = await judgeWindow(
      clients,
      bg,
      alarms,
      { idle, live },
      {
        label: 'bake',
        start: bakeStart,
        pollMs: settings.pollIntervalMs,
        signal,
      },
    );
    if (gate) outcome.gates.push(gate);
    if (gate?.verdict === 'failed')
      throw new Error(`Metric check over the bake on ${idle.color} failed: ${gate.detail}.`);
  });
}

/** 6. Commit the release, then retire the old side; a problem there does not undo a good release. */
async function finish(
  r: Release,
  topology: Topology,
  idle: Side,
  old: { hasAutoscaling: boolean; lastShiftAt: number },
): Promise<ReleaseOutcome> {
  const { clients, journal, phases, signal, bg, outcome, event } = r;
  const { live } = topology;
  outcome.liveColor = idle.color;
  event(`Release baked: ${idle.color} is live.`);
  journal.commit([
    `${live.service} (${live.color}) keeps ${live.desiredCount} tasks until the scale-down finishes.`,
  ]);
  outcome.status = 'deployed';

  try {
    await phases.run(`Scale down ${live.service}`, () =>
      retireOldSide(clients, journal, topology, bg, old.hasAutoscaling, old.lastShiftAt, signal, event),
    );
    outcome.notes = [];
  } catch (err) {
    const why = isCancelled(err) ? 'the job was cancelled' : (err as Error).message;
    outcome.notes = [
      `${live.service} (${live.color}) was not scaled down: ${why}. Scale it to 0 once its weight is 0.`,
    ];
    core.warning(outcome.notes[0]!);
  }
  // The post step repeats these notes: only what is still true.
  journal.commit(outcome.notes);
  outcome.undo = await journal.undo(core.info);
  return outcome;
}

async function failRelease(
  err: unknown,
  outcome: ReleaseOutcome,
  journal: Journal,
  scaledUp: boolean,
): Promise<ReleaseOutcome> {
  const cancelled = isCancelled(err);
  outcome.reason = (err as Error).message;
  if (err instanceof SupersededError) return await leaveToNewer(err, outcome, journal);
  if (err instanceof RefusedError) outcome.status = 'refused';
  else if (cancelled) outcome.status = 'cancelled';
  else outcome.status = scaledUp ? 'rolled-back' : 'failed';
  // No annotation here: main fails the step once, with this reason in its message.
  let restoredAt: number | undefined;
  const undo = await journal.undo((line, step) => {
    if (step?.kind === 'route' && step.role === 'production') restoredAt = Date.now();
    core.info(line);
  });
  outcome.undo = undo;
  outcome.rolledBack = scaledUp && undo.failed.length === 0 && undo.done.length > 0;
  outcome.liveColor = outcome.previousColor;
  if (outcome.status === 'rolled-back' && !outcome.rolledBack) outcome.status = 'failed';
  if (err instanceof AlarmFiredError && restoredAt !== undefined) {
    outcome.alarmToRestoredMs = restoredAt - err.seenAt;
    core.info(
      `Production traffic was back on ${outcome.previousColor} ${outcome.alarmToRestoredMs}ms after the alarm was seen.`,
    );
  }
  if (undo.failed.length)
    outcome.notes.push(...undo.failed, 'The post step retries what could not be undone.');
  return outcome;
}

/**
 * Superseded is not failed: the newer deployment on the idle side stays as it is (its
 * revision, its tasks, the bounds it runs within), so nothing but the lock is undone; no
 * traffic had moved to the idle side.
 */
async function leaveToNewer(
  err: SupersededError,
  outcome: ReleaseOutcome,
  journal: Journal,
): Promise<ReleaseOutcome> {
  outcome.status = 'superseded';
  outcome.supersededBy = err.by;
  outcome.liveColor = outcome.previousColor;
  const note = `Left alone: deployment ${err.by.deploymentId} (${familyRevision(err.by.taskDefinitionArn)}) replaced this release's on the idle side; no traffic was moved and nothing of it was undone.`;
  outcome.notes.push(note);
  journal.commit([note]);
  outcome.undo = await journal.undo(core.info);
  return outcome;
}

export function describePlan(steps: number[]): string {
  return steps.length === 1 ? 'all at once' : `in steps of ${steps.map((s) => `${s}%`).join(', ')}`;
}
