/**
 * ECS-native blue/green figures, through the bundled action against the simulator (time scale
 * 600), with 40 requests/s through the production listener:
 * - smoke failure to rollback started: the failed check in the log → ECS's record
 *   ROLLBACK_IN_PROGRESS (the action's ContinueServiceDeployment ROLLBACK landed);
 * - alarm to production traffic restored: SetAlarmState(ALARM) while the canary step is held →
 *   the load balancer routes the production rule with no weight on the new group again
 *   (including the simulated listener propagation, 5 simulated seconds);
 * - AWS calls per canary release (all, and mutating ones) and failed client requests.
 */
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ACTION_NAME } from '../src/version.js';
import type { RunResult } from '../test/harness/run-action.js';
import { runAction } from '../test/harness/run-action.js';
import { failedRequests } from '../test/scenarios/blue-green-env.js';
import { buildNative, type NativeEnv, nativeInputs } from '../test/scenarios/native-env.js';
import { routingOf } from '../test/sim/elb/propagation.js';
import { startTraffic } from '../test/sim/elb/testing.js';
import { Simulator } from '../test/sim/index.js';
import type { BenchRow } from './types.js';

const RUNS = 3;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await pause(2);
  }
}

function run(
  sim: Simulator,
  env: NativeEnv,
  tag: string,
  extra: Record<string, string>,
  hook?: (out: string) => void,
): Promise<RunResult> {
  return runAction({
    inputs: nativeInputs(env, tag, extra),
    env: sim.env(),
    cancelWhen: (out) => {
      hook?.(out);
      return false;
    },
  });
}

/** The weight the load balancer routes to the new group now (after propagation). */
function routedWeight(sim: Simulator, env: NativeEnv, group: string): number {
  const rule = sim.elb.rules.get(env.infra.productionRule);
  if (!rule) return 0;
  const routed = routingOf(rule, sim.clock.now());
  return routed.actions[0]?.ForwardConfig?.TargetGroups.find((t) => t.TargetGroupArn === group)?.Weight ?? 0;
}

export async function bench(): Promise<BenchRow[]> {
  const sim = await Simulator.start({ timeScale: 600 });
  sim.cloudwatch.queryWindowClock = 'wall';
  const calls: number[] = [];
  const mutations: number[] = [];
  const smokeToRollback: number[] = [];
  const alarmToRestored: number[] = [];
  let failed = 0;
  let requests = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const env = await buildNative(sim, `nbench${i}`);
      const traffic = startTraffic(env.productionUrl, 40);
      const ours = () => sim.log.calls.filter((c) => c.userAgent?.includes(ACTION_NAME));

      // A canary release that succeeds: AWS calls.
      sim.log.clear();
      const ok = await run(sim, env, 'v2', {});
      if (ok.exitCode !== 0) throw new Error(`release failed: ${ok.errors.join('; ')}`);
      calls.push(ours().length);
      mutations.push(ours().filter((c) => c.mutating && !c.error).length);

      // A smoke failure: the failed check in the log → ECS's record rolling back.
      let smokeFailedAt = 0;
      const service = () => sim.ecs.getService(env.cluster, env.name)!;
      const smokeRun = run(sim, env, '5xx', { 'smoke-tests': 'GET /api/orders 200 retries:0' }, (out) => {
        if (!smokeFailedAt && out.includes('FAILED: GET /api/orders')) smokeFailedAt = Date.now();
      });
      await waitUntil('the smoke failure', () => smokeFailedAt > 0);
      await waitUntil('the rollback', () => service().serviceDeployments[0]?.status !== 'IN_PROGRESS');
      smokeToRollback.push(Date.now() - smokeFailedAt);
      await smokeRun;
      await sim.ecs.waitForSteady(env.cluster, env.name, { timeoutMs: 30_000 });

      // An alarm while the 10% canary step is held: time until the balancer routes nothing new there.
      let alarmSetAt = 0;
      let fired = false;
      const newGroup = env.infra.blueGroup; // v2 serves from the second group; v3 starts in the first again
      const alarmRun = run(sim, env, 'v1', { 'step-pause': '20s' }, (out) => {
        if (fired || !out.includes('(production 10%')) return;
        fired = true;
        sim.cloudwatch.pauseEvaluation();
        void env.clients.cloudwatch
          .send(
            new SetAlarmStateCommand({ AlarmName: env.alarmName, StateValue: 'ALARM', StateReason: 'bench' }),
          )
          .then(() => {
            alarmSetAt = Date.now();
          });
      });
      await waitUntil('the alarm to be set', () => alarmSetAt > 0);
      await waitUntil('production traffic restored', () => routedWeight(sim, env, newGroup) === 0);
      alarmToRestored.push(Date.now() - alarmSetAt);
      await alarmRun;
      await env.clients.cloudwatch.send(
        new SetAlarmStateCommand({ AlarmName: env.alarmName, StateValue: 'OK', StateReason: 'bench' }),
      );
      sim.cloudwatch.resumeEvaluation();

      const records = await traffic.stop();
      requests += records.length;
      failed += failedRequests(records).length;
      env.destroy();
    }
  } finally {
    await sim.stop();
  }
  return [
    {
      group: 'ecs-native',
      name: 'smoke failure → rollback started',
      value: median(smokeToRollback),
      unit: 'ms',
      note: `median of ${RUNS}; failed check logged → ContinueServiceDeployment ROLLBACK landed`,
    },
    {
      group: 'ecs-native',
      name: 'alarm → production traffic restored',
      value: median(alarmToRestored),
      unit: 'ms',
      note: `median of ${RUNS}; SetAlarmState → routed weight 0 incl. 5 sim-s propagation; poll 100 ms`,
    },
    {
      group: 'ecs-native',
      name: 'AWS calls per canary release',
      value: median(calls),
      unit: 'calls',
      note: `${median(mutations)} mutating; poll 100 ms, 10% step paused 1 s, bake 1 min (ECS)`,
    },
    {
      group: 'ecs-native',
      name: 'failed client requests',
      value: failed,
      unit: 'requests',
      note: `of ${requests} at 40/s over ${RUNS} × (canary, smoke failure, alarm)`,
    },
  ];
}
