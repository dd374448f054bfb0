/**
 * `command: rollback` on a blue-green pair with autoscaling: the traffic switch back to the idle
 * side hands autoscaling over the way a release does. The side live again gets the live bounds
 * before production moves to it, then the live side's policies (a step policy's alarm moved
 * with them); the side rolled back from is held at 0..0 once its traffic left. Before the fix
 * the side live again stayed at its idle bounds and the alarm ran the other side's policy.
 */
import {
  DescribeScalingPoliciesCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readTargetHealth } from '../../src/aws/target-health.js';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  failedRequests,
  productionTraffic,
  productionWeights,
  putCpuAlarm,
  putQueueStepPolicy,
  releaseInputs,
  scalableBounds,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('rollback of a blue-green service with autoscaling', () => {
  let env: BlueGreenEnv;
  const resource = (color: string) => `service/${env.cluster}/${env.name}-${color}`;
  const policiesOf = async (color: string) =>
    (
      await env.clients.autoscaling.send(
        new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: resource(color) }),
      )
    ).ScalingPolicies ?? [];
  const readAlarm = async () =>
    (await env.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['shop-cpu-high'] })))
      .MetricAlarms![0]!;

  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'shop', { autoscaling: true });
    const step = await putQueueStepPolicy(env, 'blue');
    await putCpuAlarm(env, { alarmName: 'shop-cpu-high', color: 'blue', actions: [step] });
  }, 60_000);
  afterAll(() => env.destroy());

  it('the side live again gets the live bounds and policies; the side rolled back from is held at 0..0', async () => {
    const release = await runAgainst(sim(), { inputs: releaseInputs(env, 'v2') });
    expect(release.outputs).toMatchObject({ status: 'succeeded', 'live-color': 'green' });
    expect(await scalableBounds(env, 'green')).toEqual({ min: 2, max: 6 });
    expect(await scalableBounds(env, 'blue')).toEqual({ min: 0, max: 0 });

    // A warm standby: blue (still on shop:1) gets room for two tasks, nothing more.
    await env.clients.autoscaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: resource('blue'),
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 0,
        MaxCapacity: 2,
      }),
    );
    await env.clients.ecs.send(
      new UpdateServiceCommand({ cluster: env.cluster, service: 'shop-blue', desiredCount: 2 }),
    );
    for (let i = 0; ; i++) {
      const h = await readTargetHealth(env.clients.elb, env.blueTargetGroupArn);
      if (h.healthy === 2 && h.notHealthy.length === 0 && h.draining === 0) break;
      if (i > 300) throw new Error('blue never had 2 healthy targets');
      await new Promise((r) => setTimeout(r, 50));
    }

    const traffic = productionTraffic(env);
    sim().log.clear();
    const result = await runAgainst(sim(), {
      inputs: {
        ...releaseInputs(env, 'v1')!,
        command: 'rollback',
        images: undefined,
        to: '1',
        reason: 'v2 breaks checkout',
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    const records = await traffic.stop();
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({ method: 'traffic-switch', 'live-color': 'blue' });
    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });

    // The release's order: blue's room before the listener change, green held idle after it.
    const calls = sim()
      .log.mutations()
      .map((c) => c.operation);
    const modify = calls.indexOf('ModifyListener');
    expect(calls.indexOf('RegisterScalableTarget')).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf('RegisterScalableTarget')).toBeLessThan(modify);
    expect(calls.lastIndexOf('RegisterScalableTarget')).toBeGreaterThan(modify);
    expect(calls.indexOf('PutMetricAlarm')).toBeGreaterThan(modify);

    expect(await scalableBounds(env, 'blue')).toEqual({ min: 2, max: 6 });
    expect(await scalableBounds(env, 'green')).toEqual({ min: 0, max: 0 });
    const bluePolicies = await policiesOf('blue');
    expect(bluePolicies.map((p) => p.PolicyName).sort()).toEqual(['cpu70', 'queue-step']);
    const blueStep = bluePolicies.find((p) => p.PolicyName === 'queue-step')!.PolicyARN!;
    const greenStep = (await policiesOf('green')).find((p) => p.PolicyName === 'queue-step')!.PolicyARN!;
    const alarm = await readAlarm();
    expect(alarm.AlarmActions).toEqual([blueStep]);
    expect(alarm.AlarmActions).not.toContain(greenStep);
    expect(alarm.Dimensions).toEqual([
      { Name: 'ClusterName', Value: env.cluster },
      { Name: 'ServiceName', Value: 'shop-blue' },
    ]);

    // The step policy acts on blue, and green's bounds keep it at 0.
    const before = sim().ecs.getService(env.cluster, 'shop-blue')!.desiredCount;
    await env.clients.cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: 'shop-cpu-high',
        StateValue: 'ALARM',
        StateReason: 'test',
        StateReasonData: JSON.stringify({ version: '1.0', recentDatapoints: [95] }),
      }),
    );
    const activity = sim()
      .autoscaling.activities.filter((a) => a.policy === 'queue-step')
      .at(-1);
    expect(activity).toMatchObject({ resourceId: resource('blue'), from: before, to: before + 1 });
    await sim().ecs.waitFor(() => sim().ecs.getService(env.cluster, 'shop-green')!.desiredCount === 0, {
      timeoutMs: 30_000,
      what: 'green held at 0 tasks',
    });
  }, 120_000);
});
