/**
 * Blue-green figures, through the bundled action against the simulator (time scale 600), with
 * client traffic through the production listener:
 * - alarm to traffic restored: SetAlarmState(ALARM) in the bake → production weights back on
 *   the old side (poll interval 100 ms, so the bound is about 100 ms plus one call);
 * - smoke failure to idle side scaled down: the failed check is logged → desired count 0;
 * - AWS calls per canary release (all, and mutating ones);
 * - wall time the action adds beyond the simulated ECS time (scale-up and target health) and its
 *   own configured waits (step pauses and bake).
 */
import type { RunResult } from '../test/harness/run-action.js';
import { runAction } from '../test/harness/run-action.js';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  failedRequests,
  productionTraffic,
  productionWeights,
  releaseInputs,
  setAlarm,
} from '../test/scenarios/blue-green-env.js';
import { routingOf } from '../test/sim/elb/propagation.js';
import { Simulator } from '../test/sim/index.js';
import type { BenchRow } from './types.js';

const RUNS = 3;

/** The weight the load balancer routes to `group` now: after the listener change propagated. */
function routedWeight(sim: Simulator, listenerArn: string, group: string): number {
  const listener = sim.elb.listeners.get(listenerArn);
  if (!listener) return 0;
  const routed = routingOf(listener.defaultRule, sim.clock.now());
  return routed.actions[0]?.ForwardConfig?.TargetGroups.find((t) => t.TargetGroupArn === group)?.Weight ?? 0;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check` every few ms; a figure that never comes is an error, not a hang. */
async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await pause(2);
  }
}

/** Phase durations from the Mermaid timeline of the summary. */
function phaseMs(summary: string, prefix: string): number {
  let total = 0;
  for (const m of summary.matchAll(/^ {2}(.+?) :(?:crit, )?p\d+, \d+, (\d+)ms$/gm)) {
    if (m[1]!.startsWith(prefix)) total += Number(m[2]);
  }
  return total;
}

async function run(
  sim: Simulator,
  env: BlueGreenEnv,
  tag: string,
  extra: Record<string, string>,
  hook?: (out: string) => void,
): Promise<RunResult> {
  return runAction({
    inputs: releaseInputs(env, tag, extra),
    env: sim.env(),
    cancelWhen: (out) => {
      hook?.(out);
      return false;
    },
  });
}

export async function bench(): Promise<BenchRow[]> {
  const sim = await Simulator.start({ timeScale: 600 });
  // The action picks metric windows from the wall clock, as on AWS (its p95 gate is on by default).
  sim.cloudwatch.queryWindowClock = 'wall';
  const rows: BenchRow[] = [];
  try {
    const restore: number[] = [];
    const scaleDown: number[] = [];
    const calls: number[] = [];
    const mutations: number[] = [];
    const overhead: number[] = [];
    const sigint: number[] = [];
    let failed = 0;
    for (let i = 0; i < RUNS; i++) {
      const env = await buildBlueGreen(sim, `bench${i}`);
      const traffic = productionTraffic(env);

      // A canary release that succeeds: calls and overhead.
      sim.log.clear();
      const stepPauseMs = 1000;
      const bakeMs = 1000;
      const ok = await run(sim, env, 'v2', {
        'traffic-steps': 'canary 10%',
        'step-pause': `${stepPauseMs}ms`,
        'bake-time': `${bakeMs}ms`,
      });
      if (ok.exitCode !== 0) throw new Error(`release failed: ${ok.errors.join('; ')}`);
      calls.push(sim.log.count());
      mutations.push(sim.log.mutations().length);
      const ecsMs = phaseMs(ok.summary, 'Scale up') + phaseMs(ok.summary, 'Wait for healthy targets');
      overhead.push(ok.durationMs - ecsMs - stepPauseMs - bakeMs);

      // An alarm in the bake of the next release (back to v1 on blue): time until green has the traffic again.
      let alarmSetAt = 0;
      let fired = false;
      const alarmRun = run(sim, env, 'v1', { 'bake-time': '20s' }, (out) => {
        if (fired || !out.includes('Production: 100% on blue')) return;
        fired = true;
        sim.cloudwatch.pauseEvaluation();
        void pause(200)
          .then(() => setAlarm(env, 'ALARM', 'bench'))
          .then(() => {
            alarmSetAt = Date.now();
          });
      });
      await waitUntil('the alarm to be set', () => alarmSetAt > 0);
      // Restored means routed: the listener change has reached the load balancer's nodes.
      await waitUntil(
        'traffic routed to green again',
        () => routedWeight(sim, env.listenerArn, env.greenTargetGroupArn) === 100,
      );
      restore.push(Date.now() - alarmSetAt);
      await alarmRun;
      await setAlarm(env, 'OK', 'bench');
      sim.cloudwatch.resumeEvaluation();

      // A smoke failure: from the failed check in the log to the idle side at 0 tasks.
      let smokeFailedAt = 0;
      const smokeRun = run(sim, env, '5xx', { 'smoke-tests': 'GET /api/orders 200 retries:0' }, (out) => {
        if (!smokeFailedAt && out.includes('FAILED: GET /api/orders')) smokeFailedAt = Date.now();
      });
      await waitUntil('the smoke failure', () => smokeFailedAt > 0);
      await waitUntil('blue at 0 tasks', async () => (await desiredCounts(env)).blue === 0);
      scaleDown.push(Date.now() - smokeFailedAt);
      await smokeRun;

      // Cancelled mid-canary (back to v1 on blue): from SIGINT to production weights back on green.
      let cancelled = false;
      let sigintAt = 0;
      const cancelRun = runAction({
        inputs: releaseInputs(env, 'v1', { 'traffic-steps': 'canary 10%', 'step-pause': '20s' }),
        env: sim.env(),
        cancelWhen: (out) => {
          if (!cancelled && out.includes('Production: 10% on blue')) {
            cancelled = true;
            sigintAt = Date.now();
          }
          return cancelled;
        },
      });
      await waitUntil('the canary step', () => sigintAt > 0);
      await waitUntil('traffic back on green', async () => (await productionWeights(env)).green === 100);
      sigint.push(Date.now() - sigintAt);
      await cancelRun;

      failed += failedRequests(await traffic.stop()).length;
      env.destroy();
    }
    rows.push(
      {
        group: 'blue-green',
        name: 'alarm → production traffic restored',
        value: median(restore),
        unit: 'ms',
        note: `median of ${RUNS}; SetAlarmState → routed weight back, incl. the listener propagation delay; poll 100 ms`,
      },
      {
        group: 'blue-green',
        name: 'smoke failure → idle side scaled to 0',
        value: median(scaleDown),
        unit: 'ms',
        note: `median of ${RUNS}; restores test listener first`,
      },
      {
        group: 'blue-green',
        name: 'SIGINT mid-canary → production traffic restored',
        value: median(sigint),
        unit: 'ms',
        note: `median of ${RUNS}; the runner kills the step 10 s after SIGINT`,
      },
      {
        group: 'blue-green',
        name: 'AWS calls per canary release',
        value: median(calls),
        unit: 'calls',
        note: `${median(mutations)} mutating; poll 100 ms, 10% step paused 1 s, bake 1 s`,
      },
      {
        group: 'blue-green',
        name: 'wall time the action adds',
        value: median(overhead),
        unit: 'ms',
        note: 'beyond ECS scale-up/health and configured pauses; includes 1 s lock settle and a Node start',
      },
      {
        group: 'blue-green',
        name: 'failed client requests',
        value: failed,
        unit: 'requests',
        note: `40 req/s through production in all ${RUNS * 4} releases`,
      },
    );
  } finally {
    await sim.stop();
  }
  return rows;
}
