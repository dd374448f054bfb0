/**
 * After a switch, the newly live side scales on its own load. The live side's
 * ALBRequestCountPerTarget policy names its own target group in its ResourceLabel; the copy put
 * on the new side must name the new side's group. Before the fix the copy kept blue's label:
 * green then watched a target group that no longer got traffic and never grew.
 */
import {
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeAlarmsCommand, type MetricAlarm, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadBalancerDimension, targetGroupDimension } from '../../src/aws/metrics.js';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  failedRequests,
  productionTraffic,
  putCpuAlarm,
  putQueueStepPolicy,
  releaseInputs,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 60 });

describe('blue-green with scaling policies that act', () => {
  let env: BlueGreenEnv;
  let blueStep: string;
  let alarmBefore: MetricAlarm;
  const readAlarm = async () =>
    (await env.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['grow-cpu-high'] })))
      .MetricAlarms![0]!;
  const resource = (color: string) => `service/${env.cluster}/${env.name}-${color}`;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'grow', { autoscaling: true });
    const label = (tg: string) => `${loadBalancerDimension(env.listenerArn)}/${targetGroupDimension(tg)}`;
    await env.clients.autoscaling.send(
      new PutScalingPolicyCommand({
        ServiceNamespace: 'ecs',
        ResourceId: resource('blue'),
        ScalableDimension: 'ecs:service:DesiredCount',
        PolicyName: 'requests',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 5,
          PredefinedMetricSpecification: {
            PredefinedMetricType: 'ALBRequestCountPerTarget',
            ResourceLabel: label(env.blueTargetGroupArn),
          },
        },
      }),
    );
    blueStep = await putQueueStepPolicy(env, 'blue');
    // The user's alarm that runs blue's step policy, on blue's own CPU.
    await putCpuAlarm(env, {
      alarmName: 'grow-cpu-high',
      color: 'blue',
      actions: [blueStep, 'arn:aws:sns:us-east-1:123456789012:ops'],
      extra: {
        AlarmDescription: 'CPU of the live side above 80 %',
        DatapointsToAlarm: 2,
        OKActions: ['arn:aws:sns:us-east-1:123456789012:ops'],
      },
    });
    alarmBefore = await readAlarm();
  }, 60_000);
  afterAll(() => env.destroy());

  it('green scales out on the requests of its own target group; idle blue stays at 0', async () => {
    const result = await runAgainst(sim(), { inputs: releaseInputs(env, 'v2', { 'max-p95-latency': '0' }) });
    expect(result.outputs).toMatchObject({ status: 'succeeded', 'live-color': 'green' });

    const { ScalingPolicies } = await env.clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: resource('green') }),
    );
    const requests = ScalingPolicies!.find((p) => p.PolicyName === 'requests')!;
    expect(
      requests.TargetTrackingScalingPolicyConfiguration!.PredefinedMetricSpecification!.ResourceLabel,
    ).toBe(`${loadBalancerDimension(env.listenerArn)}/${targetGroupDimension(env.greenTargetGroupArn)}`);
    expect(ScalingPolicies!.map((p) => p.PolicyName).sort()).toEqual(['cpu70', 'queue-step', 'requests']);

    // About 40 requests a (wall) second, one simulated minute here: some 20 per target and
    // minute on two tasks, against a target of 5.
    const traffic = productionTraffic(env);
    try {
      await sim().ecs.waitFor(
        () => (sim().ecs.getService(env.cluster, 'grow-green')?.desiredCount ?? 0) > 2,
        {
          timeoutMs: 30_000,
          what: 'green scaled out by its request-count policy',
        },
      );
    } finally {
      const records = await traffic.stop();
      expect(failedRequests(records)).toEqual([]);
    }
    const activity = sim().autoscaling.activities.find((a) => a.resourceId === resource('green'));
    expect(activity).toMatchObject({ policy: 'requests', from: 2 });
    expect((await desiredCounts(env)).blue).toBe(0);
    expect(sim().autoscaling.activities.some((a) => a.resourceId === resource('blue'))).toBe(false);
  }, 90_000);

  it("the step policy's alarm runs green's copy on green's metrics, every other field kept, and never blue", async () => {
    const { ScalingPolicies } = await env.clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: resource('green') }),
    );
    const greenStep = ScalingPolicies!.find((p) => p.PolicyName === 'queue-step')!.PolicyARN!;
    expect(greenStep).not.toBe(blueStep);
    const after = await readAlarm();
    expect(after.AlarmActions).toEqual([greenStep, 'arn:aws:sns:us-east-1:123456789012:ops']);
    expect(after.Dimensions).toEqual([
      { Name: 'ClusterName', Value: env.cluster },
      { Name: 'ServiceName', Value: 'grow-green' },
    ]);
    // Everything else is as the user wrote it (the state is CloudWatch's own, and moves on).
    const configuration = (a: MetricAlarm) => {
      const { AlarmActions, Dimensions, AlarmConfigurationUpdatedTimestamp, ...rest } = a;
      return Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('State')));
    };
    expect(configuration(after)).toEqual(configuration(alarmBefore));

    const green = () => sim().ecs.getService(env.cluster, 'grow-green')!.desiredCount;
    // The request-count policy may have taken green to its maximum (6): room for one more step.
    sim().ecs.setDesiredCount(env.cluster, 'grow-green', 3);
    const before = green();
    await env.clients.cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: 'grow-cpu-high',
        StateValue: 'ALARM',
        StateReason: 'test',
        StateReasonData: JSON.stringify({ version: '1.0', recentDatapoints: [95] }),
      }),
    );
    const stepActivity = sim().autoscaling.activities.find((a) => a.policy === 'queue-step');
    expect(stepActivity).toMatchObject({ resourceId: resource('green'), from: before, to: before + 1 });
    expect(sim().autoscaling.activities.some((a) => a.resourceId === resource('blue'))).toBe(false);
    expect((await desiredCounts(env)).blue).toBe(0);
  }, 30_000);
});
