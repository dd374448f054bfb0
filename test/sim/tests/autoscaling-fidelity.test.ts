/** Application Auto Scaling as AWS runs it for ECS (sources in test/sim/README.md, fidelity table). */
import {
  ApplicationAutoScalingClient,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  type PutScalingPolicyCommandInput,
  RegisterScalableTargetCommand,
  ValidationException,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { clientConfig, createSteadyService, ecsClient, registerWeb } from '../ecs/testing.js';
import { Simulator } from '../index.js';

describe('Application Auto Scaling fidelity rules', () => {
  let sim: Simulator;
  let ecs: ECSClient;
  let aas: ApplicationAutoScalingClient;
  const MINUTE = 60_000;
  const TG = 'targetgroup/api-blue/0123456789abcdef';
  const LABEL = `app/shop/fedcba9876543210/${TG}`;
  const key = (service: string) => ({
    ServiceNamespace: 'ecs' as const,
    ResourceId: `service/scale/${service}`,
    ScalableDimension: 'ecs:service:DesiredCount' as const,
  });
  const put = (service: string, input: Partial<PutScalingPolicyCommandInput>) =>
    aas.send(new PutScalingPolicyCommand({ ...key(service), PolicyName: 'p', ...input }));

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 60 });
    // Evaluation is driven by evaluatePolicies() here.
    sim.autoscaling.evaluationIntervalMs = 24 * 3_600_000;
    ecs = ecsClient(sim);
    aas = new ApplicationAutoScalingClient(clientConfig(sim));
    const td = await registerWeb(ecs, 'scale', 'nginx:latest');
    await Promise.all(
      ['api', 'paged', 'idle'].map(async (service) => {
        await createSteadyService(sim, ecs, {
          cluster: 'scale',
          service,
          taskDefinition: td,
          desiredCount: 1,
        });
        await aas.send(
          new RegisterScalableTargetCommand({ ...key(service), MinCapacity: 1, MaxCapacity: 5 }),
        );
      }),
    );
  }, 60_000);
  afterAll(async () => {
    ecs.destroy();
    aas.destroy();
    await sim.stop();
  });

  it('DescribeScalingPolicies pages at 10', async () => {
    for (let i = 0; i < 12; i++) {
      await put('paged', {
        PolicyName: `step-${i}`,
        PolicyType: 'StepScaling',
        StepScalingPolicyConfiguration: {
          AdjustmentType: 'ChangeInCapacity',
          StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
        },
      });
    }
    const first = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: key('paged').ResourceId }),
    );
    expect(first.ScalingPolicies).toHaveLength(10);
    expect(first.NextToken).toBeDefined();
    const second = await aas.send(
      new DescribeScalingPoliciesCommand({
        ServiceNamespace: 'ecs',
        ResourceId: key('paged').ResourceId,
        NextToken: first.NextToken,
      }),
    );
    expect(second.ScalingPolicies).toHaveLength(2);
    expect(second.NextToken).toBeUndefined();
    await expect(
      aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', MaxResults: 11 })),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('each policy type has its own configuration; ALBRequestCountPerTarget needs a ResourceLabel', async () => {
    await expect(put('api', { PolicyType: 'PredictiveScaling' })).rejects.toBeInstanceOf(ValidationException);
    await expect(
      put('api', {
        PolicyType: 'TargetTrackingScaling',
        StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity' },
      }),
    ).rejects.toThrow(/TargetTrackingScalingPolicyConfiguration is required/);
    await expect(
      put('api', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 100,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' },
        },
      }),
    ).rejects.toThrow(/ResourceLabel is required/);
    const predictive = {
      MetricSpecifications: [
        {
          TargetValue: 100,
          PredefinedMetricPairSpecification: {
            PredefinedMetricType: 'ALBRequestCount',
            ResourceLabel: LABEL,
          },
        },
      ],
      Mode: 'ForecastOnly' as const,
      SchedulingBufferTime: 300,
    };
    await put('api', {
      PolicyName: 'forecast',
      PolicyType: 'PredictiveScaling',
      PredictiveScalingPolicyConfiguration: predictive,
    });
    const out = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', PolicyNames: ['forecast'] }),
    );
    expect(out.ScalingPolicies![0]!.PredictiveScalingPolicyConfiguration).toEqual(predictive);
  });

  /** One moment each test puts its data around and evaluates at: no wall-clock timing involved. */
  let at = 0;
  const freshMinute = () => {
    at = Math.floor(sim.clock.now() / MINUTE) * MINUTE + 5_000;
  };
  /** Points `minutesAgo` whole minutes back: 3 and more are published (the delay is at most 2). */
  const requestsPerTarget = (tg: string, minutesAgo: number[], value: number) => {
    const now = Math.floor(at / MINUTE) * MINUTE;
    for (const m of minutesAgo) {
      sim.cloudwatch.putMetric({
        namespace: 'AWS/ApplicationELB',
        metricName: 'RequestCountPerTarget',
        dimensions: { TargetGroup: tg },
        timestamp: now - m * MINUTE + 1_000,
        value,
      });
    }
  };

  it('ALBRequestCountPerTarget scales on the requests of the target group its ResourceLabel names', async () => {
    await put('api', {
      PolicyName: 'requests',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 100,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: LABEL,
        },
      },
    });
    await put('idle', {
      PolicyName: 'requests',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 100,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: 'app/shop/fedcba9876543210/targetgroup/api-green/0123456789abcdef',
        },
      },
    });
    freshMinute();
    // Two minutes above the target are not enough (three consecutive are).
    requestsPerTarget(TG, [3, 4], 300);
    sim.autoscaling.evaluatePolicies(at);
    expect(sim.ecs.getService('scale', 'api')!.desiredCount).toBe(1);
    requestsPerTarget(TG, [5], 300);
    sim.autoscaling.evaluatePolicies(at);
    // ceil(1 × 300 / 100) = 3, within the bounds 1..5.
    expect(sim.ecs.getService('scale', 'api')!.desiredCount).toBe(3);
    expect(sim.autoscaling.activities.at(-1)).toMatchObject({ from: 1, to: 3, policy: 'requests' });
    // A policy on another target group has no data: nothing scales.
    expect(sim.ecs.getService('scale', 'idle')!.desiredCount).toBe(1);
    // Within the cooldown, no second scale-out.
    requestsPerTarget(TG, [3, 4, 5], 1000);
    sim.autoscaling.evaluatePolicies(at);
    expect(sim.ecs.getService('scale', 'api')!.desiredCount).toBe(3);
  });

  it('a step policy acts only through an alarm that names it', async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...key('idle'), MinCapacity: 1, MaxCapacity: 5 }));
    const out = await put('idle', {
      PolicyName: 'step-out',
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: {
        AdjustmentType: 'ChangeInCapacity',
        Cooldown: 60,
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
        ],
      },
    });
    const before = sim.ecs.getService('scale', 'idle')!.desiredCount;
    const cw = new CloudWatchClient(clientConfig(sim));
    const alarm = (name: string, actions: string[]) =>
      cw.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: 'Test/Load',
          MetricName: 'Queue',
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 50,
          ComparisonOperator: 'GreaterThanThreshold',
          AlarmActions: actions,
        }),
      );
    // An alarm that names another action does nothing to the service.
    await alarm('queue-sns', ['arn:aws:sns:us-east-1:123456789012:ops']);
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'queue-sns', StateValue: 'ALARM', StateReason: 'test' }),
    );
    expect(sim.ecs.getService('scale', 'idle')!.desiredCount).toBe(before);
    // Named by an alarm, the step for a breach of 30 above the threshold adds 3.
    await alarm('queue-deep', [out.PolicyARN!]);
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: 'queue-deep',
        StateValue: 'ALARM',
        StateReason: 'test',
        StateReasonData: JSON.stringify({ version: '1.0', recentDatapoints: [80] }),
      }),
    );
    expect(sim.ecs.getService('scale', 'idle')!.desiredCount).toBe(Math.min(5, before + 3));
    cw.destroy();
  });

  it('scales in after 15 minutes below 90% of the target, and never below the minimum', async () => {
    const tg = 'targetgroup/quiet/0123456789abcdef';
    await aas.send(new RegisterScalableTargetCommand({ ...key('paged'), MinCapacity: 2, MaxCapacity: 5 }));
    sim.ecs.setDesiredCount('scale', 'paged', 4);
    await put('paged', {
      PolicyName: 'quiet',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 100,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: `app/shop/fedcba9876543210/${tg}`,
        },
      },
    });
    freshMinute();
    requestsPerTarget(
      tg,
      Array.from({ length: 14 }, (_, i) => i + 3),
      10,
    );
    sim.autoscaling.evaluatePolicies(at);
    expect(sim.ecs.getService('scale', 'paged')!.desiredCount).toBe(4);
    requestsPerTarget(tg, [17], 10);
    sim.autoscaling.evaluatePolicies(at);
    expect(sim.ecs.getService('scale', 'paged')!.desiredCount).toBe(2);
  });
});
