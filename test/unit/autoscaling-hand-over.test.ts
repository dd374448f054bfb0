/**
 * The autoscaling hand-over a blue-green switch makes (release and rollback alike) is journal
 * steps whose undo puts it back: against the simulator, the side going live gets the live
 * bounds, the alarm of the live side's step policy runs the copy on the new side's service, the
 * old side is held at 0..0; undoing the journal restores both sides' bounds and the alarm.
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClients } from '../../src/aws/clients.js';
import { Journal } from '../../src/release/journal.js';
import { handOverAutoscaling } from '../../src/strategies/blue-green/autoscaling-hand-over.js';
import type { Side, Topology } from '../../src/strategies/blue-green/topology.js';
import { Simulator } from '../sim/index.js';

const credentials = { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' };
const KEY = { ServiceNamespace: 'ecs' as const, ScalableDimension: 'ecs:service:DesiredCount' as const };
const resource = (color: string) => `service/prod/web-${color}`;
const side = (color: 'blue' | 'green'): Side =>
  ({
    color,
    service: `web-${color}`,
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/prod/web-${color}`,
    targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-${color}/0123456789abcdef`,
    desiredCount: 2,
    taskDefinition: 'web:1',
  }) as Side;

describe('the autoscaling hand-over of a switch', () => {
  let sim: Simulator;
  let aas: ApplicationAutoScalingClient;
  let cw: CloudWatchClient;
  const saved = { ...process.env };
  const bounds = async (color: string) => {
    const t = (await aas.send(new DescribeScalableTargetsCommand({ ...KEY, ResourceIds: [resource(color)] })))
      .ScalableTargets![0]!;
    return { min: t.MinCapacity, max: t.MaxCapacity };
  };
  const alarm = async () =>
    (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-cpu-high'] }))).MetricAlarms![0]!;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 60 });
    process.env.AWS_ENDPOINT_URL = sim.endpoint;
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    const config = { endpoint: sim.endpoint, region: 'us-east-1', credentials };
    aas = new ApplicationAutoScalingClient(config);
    cw = new CloudWatchClient(config);
    await aas.send(
      new RegisterScalableTargetCommand({
        ...KEY,
        ResourceId: resource('blue'),
        MinCapacity: 2,
        MaxCapacity: 6,
      }),
    );
    await aas.send(
      new RegisterScalableTargetCommand({
        ...KEY,
        ResourceId: resource('green'),
        MinCapacity: 0,
        MaxCapacity: 2,
      }),
    );
    const step = await aas.send(
      new PutScalingPolicyCommand({
        ...KEY,
        ResourceId: resource('blue'),
        PolicyName: 'queue-step',
        PolicyType: 'StepScaling',
        StepScalingPolicyConfiguration: {
          AdjustmentType: 'ChangeInCapacity',
          StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
        },
      }),
    );
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-cpu-high',
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Dimensions: [
          { Name: 'ClusterName', Value: 'prod' },
          { Name: 'ServiceName', Value: 'web-blue' },
        ],
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: 80,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [step.PolicyARN!],
      }),
    );
  }, 30_000);
  afterAll(async () => {
    process.env = saved;
    aas.destroy();
    cw.destroy();
    await sim.stop();
  });

  it('hands blue over to green as journal steps, and the undo puts both sides and the alarm back', async () => {
    const before = await alarm();
    const clients = await createClients('us-east-1', ['autoscaling', 'cloudwatch']);
    const journal = new Journal(clients, undefined, () => {});
    const topology = { cluster: 'prod', live: side('blue'), idle: side('green') } as Topology;

    expect(await handOverAutoscaling(clients, journal, topology)).toBe(1);
    expect(await bounds('green')).toEqual({ min: 2, max: 6 });
    expect(await bounds('blue')).toEqual({ min: 0, max: 0 });
    const greenStep = (
      await aas.send(
        new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: resource('green') }),
      )
    ).ScalingPolicies!.find((p) => p.PolicyName === 'queue-step')!.PolicyARN!;
    expect((await alarm()).AlarmActions).toEqual([greenStep]);
    expect((await alarm()).Dimensions).toContainEqual({ Name: 'ServiceName', Value: 'web-green' });
    expect(journal.entries.map((e) => e.step.kind)).toEqual(['scalable-target', 'scalable-target', 'alarm']);

    const undo = await journal.undo(() => {});
    expect(undo.failed).toEqual([]);
    expect(await bounds('green')).toEqual({ min: 0, max: 2 });
    expect(await bounds('blue')).toEqual({ min: 2, max: 6 });
    const after = await alarm();
    expect(after.AlarmActions).toEqual(before.AlarmActions);
    expect(after.Dimensions).toEqual(before.Dimensions);
  }, 30_000);
});
