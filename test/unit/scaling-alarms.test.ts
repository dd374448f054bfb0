/**
 * The alarms of step scaling policies move with the policies: read whole, written back with
 * only the policy ARNs and the old side's dimensions changed, and the journal step's undo
 * writes the alarm back as it was. Against the simulator, whose PutMetricAlarm replaces the
 * whole alarm as AWS's does (a field left out would be lost).
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AwsClients } from '../../src/aws/clients.js';
import { alarmInput, alarmsNaming, movedAlarm, writeAlarm } from '../../src/aws/scaling-alarms.js';
import { undoStep } from '../../src/release/steps.js';
import { Simulator } from '../sim/index.js';

const policy = (side: string) =>
  `arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0000-${side}:resource/ecs/service/prod/web-${side}:policyName/queue-step`;
const TG = (side: string) => `targetgroup/web-${side}/0123456789abcdef`;
const LB = 'app/prod/fedcba9876543210';
const SNS = 'arn:aws:sns:us-east-1:123456789012:ops';

describe('moving step scaling alarms to the other side', () => {
  let sim: Simulator;
  let cw: CloudWatchClient;
  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 60 });
    cw = new CloudWatchClient({
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' },
    });
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-requests-high',
        AlarmDescription: 'requests per target above 500',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCountPerTarget',
        Dimensions: [
          { Name: 'TargetGroup', Value: TG('blue') },
          { Name: 'LoadBalancer', Value: LB },
        ],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 2,
        Threshold: 500,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [policy('blue'), SNS],
        OKActions: [SNS],
      }),
    );
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-cpu-high',
        Metrics: [
          {
            Id: 'cpu',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ECS',
                MetricName: 'CPUUtilization',
                Dimensions: [
                  { Name: 'ClusterName', Value: 'prod' },
                  { Name: 'ServiceName', Value: 'web-blue' },
                ],
              },
              Period: 60,
              Stat: 'Average',
            },
          },
        ],
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 80,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [policy('blue')],
      }),
    );
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'unrelated',
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 90,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [SNS],
      }),
    );
  });
  afterAll(async () => {
    cw.destroy();
    await sim.stop();
  });

  const read = async (name: string): Promise<MetricAlarm> =>
    (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
  const configuration = (a: MetricAlarm) =>
    Object.fromEntries(
      Object.entries(a).filter(([k]) => !k.startsWith('State') && k !== 'AlarmConfigurationUpdatedTimestamp'),
    );

  it("finds the alarms naming the old side's policy, moves them, and the undo puts each back whole", async () => {
    const alarms = await alarmsNaming(cw, [policy('blue')]);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(['web-cpu-high', 'web-requests-high']);
    const before = await Promise.all(['web-cpu-high', 'web-requests-high'].map(read));
    const move = {
      policies: new Map([[policy('blue'), policy('green')]]),
      dimensions: new Map([
        ['web-blue', 'web-green'],
        [TG('blue'), TG('green')],
      ]),
    };
    const steps = alarms.map((a) => ({ kind: 'alarm' as const, previous: alarmInput(a) }));
    for (const s of steps) await writeAlarm(cw, movedAlarm(s.previous, move));

    const requests = await read('web-requests-high');
    expect(requests.AlarmActions).toEqual([policy('green'), SNS]);
    expect(requests.OKActions).toEqual([SNS]);
    expect(requests.Dimensions).toEqual([
      { Name: 'TargetGroup', Value: TG('green') },
      { Name: 'LoadBalancer', Value: LB },
    ]);
    expect(requests).toMatchObject({
      AlarmDescription: 'requests per target above 500',
      TreatMissingData: 'notBreaching',
      EvaluationPeriods: 2,
      Threshold: 500,
    });
    const cpu = await read('web-cpu-high');
    expect(cpu.AlarmActions).toEqual([policy('green')]);
    expect(cpu.Metrics![0]!.MetricStat!.Metric!.Dimensions).toContainEqual({
      Name: 'ServiceName',
      Value: 'web-green',
    });
    expect(cpu.DatapointsToAlarm).toBe(2);
    expect(await alarmsNaming(cw, [policy('blue')])).toEqual([]);

    const clients = { region: 'us-east-1', cloudwatch: cw } as unknown as AwsClients;
    for (const s of steps) await undoStep(clients, s);
    const after = await Promise.all(['web-cpu-high', 'web-requests-high'].map(read));
    expect(after.map(configuration)).toEqual(before.map(configuration));
  });
});
