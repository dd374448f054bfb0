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
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadBalancerDimension, targetGroupDimension } from '../../src/aws/metrics.js';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  failedRequests,
  productionTraffic,
  releaseInputs,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 60 });

describe('blue-green with scaling policies that act', () => {
  let env: BlueGreenEnv;
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
    await env.clients.autoscaling.send(
      new PutScalingPolicyCommand({
        ServiceNamespace: 'ecs',
        ResourceId: resource('blue'),
        ScalableDimension: 'ecs:service:DesiredCount',
        PolicyName: 'queue-step',
        PolicyType: 'StepScaling',
        StepScalingPolicyConfiguration: {
          AdjustmentType: 'ChangeInCapacity',
          StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
        },
      }),
    );
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
    // A step policy runs only from an alarm naming it: the user is told which ARN to add.
    expect(result.warnings.join('\n')).toMatch(
      /Step scaling policy "queue-step" now also exists for grow-green \(arn:aws:autoscaling:.*\); the CloudWatch alarms that run it name arn:aws:autoscaling:.*grow-blue/,
    );

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
});
