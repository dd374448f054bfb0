import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
  ResourceNotFound,
  SetAlarmStateCommand,
  ValidationException,
} from '@aws-sdk/client-cloudwatch';
import {
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createAlb,
  createGroup,
  register,
  sleep,
  startTarget,
  startTraffic,
  type TestTarget,
  waitFor,
  waitForState,
} from '../elb/testing.js';
import { Simulator } from '../index.js';

describe('CloudWatch alarms on ALB metrics', () => {
  let sim: Simulator;
  let elb: ElasticLoadBalancingV2Client;
  let cw: CloudWatchClient;
  const targets: TestTarget[] = [];

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 300 });
    const config = {
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' },
    };
    elb = new ElasticLoadBalancingV2Client(config);
    cw = new CloudWatchClient(config);
  });

  afterAll(async () => {
    elb.destroy();
    cw.destroy();
    await Promise.all(targets.map((t) => t.close()));
    await sim.stop();
  });

  const state = async (name: string) =>
    (
      await cw.send(
        new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
      )
    ).MetricAlarms?.[0] ??
    (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['CompositeAlarm'] })))
      .CompositeAlarms?.[0];

  it('goes to ALARM while a target group answers 5xx, back to OK after, and a composite follows', async () => {
    const good = await createGroup(elb, 'cw-good');
    const bad = await createGroup(elb, 'cw-bad');
    const { loadBalancerArn, listenerArn } = await createAlb(elb, 'cw', [good, bad], [100, 0]);
    for (const [group, mode] of [
      [good, 'ok'],
      [bad, 'error'],
    ] as const) {
      const t = await startTarget(mode, mode);
      targets.push(t);
      await register(elb, group, [t.port]);
    }
    await waitForState(elb, good, 'healthy');

    const dimensions = [
      { Name: 'LoadBalancer', Value: loadBalancerArn.split(':loadbalancer/')[1] ?? '' },
      { Name: 'TargetGroup', Value: bad.split(':').pop() ?? '' },
    ];
    expect(dimensions[0]?.Value).toMatch(/^app\/cw\/[0-9a-f]{16}$/);
    expect(dimensions[1]?.Value).toMatch(/^targetgroup\/cw-bad\/[0-9a-f]{16}$/);
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-bad-5xx',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: dimensions,
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        // ALB publishes no 5XX datapoint when there were no errors: missing means fine.
        TreatMissingData: 'notBreaching',
      }),
    );
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-latency',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'TargetResponseTime',
        Dimensions: dimensions.slice(0, 1),
        ExtendedStatistic: 'p95',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0.5,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    await cw.send(
      new PutCompositeAlarmCommand({
        AlarmName: 'web-health',
        AlarmRule: 'ALARM("web-bad-5xx") OR ALARM(web-latency)',
      }),
    );
    const traffic = startTraffic(sim.elb.listenerUrl(listenerArn), 50);
    await waitFor('OK with healthy traffic', async () => (await state('web-bad-5xx'))?.StateValue === 'OK');
    expect((await state('web-health'))?.StateValue).toBe('OK');

    const setWeights = (weights: number[]) =>
      elb.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: good, Weight: weights[0] },
                  { TargetGroupArn: bad, Weight: weights[1] },
                ],
              },
            },
          ],
        }),
      );
    await setWeights([0, 100]);
    const alarmed = await waitFor('ALARM', async () => {
      const a = await state('web-bad-5xx');
      return a?.StateValue === 'ALARM' && a;
    });
    expect(alarmed?.StateReason).toMatch(
      /^Threshold Crossed: 1 datapoint \[\d+\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:00\)\] was greater than the threshold \(0\.0\)\.$/,
    );
    expect(JSON.parse(alarmed?.StateReasonData ?? '{}')).toMatchObject({
      statistic: 'Sum',
      period: 60,
      threshold: 0,
    });
    expect(alarmed?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    await waitFor('composite ALARM', async () => (await state('web-health'))?.StateValue === 'ALARM');
    expect((await state('web-health'))?.StateReason).toMatch(
      /^arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-bad-5xx transitioned to ALARM at \w+day \d+ \w+, \d{4} \d\d:\d\d:\d\d UTC$/,
    );

    await setWeights([100, 0]);
    await waitFor('OK again', async () => (await state('web-bad-5xx'))?.StateValue === 'OK');
    await waitFor('composite OK', async () => (await state('web-health'))?.StateValue === 'OK');
    await traffic.stop();

    const history = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'web-bad-5xx', HistoryItemType: 'StateUpdate' }),
    );
    expect(history.AlarmHistoryItems?.map((h) => h.HistorySummary)).toEqual([
      'Alarm updated from ALARM to OK',
      'Alarm updated from OK to ALARM',
      'Alarm updated from INSUFFICIENT_DATA to OK',
    ]);
  });

  it('publishes host counts each minute and request count per target', async () => {
    const group = await createGroup(elb, 'hosts');
    const { loadBalancerArn, listenerArn } = await createAlb(elb, 'hosts', [group]);
    const up = await startTarget('up');
    const down = await startTarget('down', 'error');
    targets.push(up, down);
    await register(elb, group, [up.port, down.port]);
    await waitFor(
      'one healthy target',
      async () => sim.elb.targetHealth(group, { id: '127.0.0.1', port: up.port }).State === 'healthy',
    );
    const dimensions = [
      { Name: 'LoadBalancer', Value: loadBalancerArn.split(':loadbalancer/')[1] ?? '' },
      { Name: 'TargetGroup', Value: group.split(':').pop() ?? '' },
    ];
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'hosts-unhealthy',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'UnHealthyHostCount',
        Dimensions: dimensions,
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    await waitFor(
      'UnHealthyHostCount alarm',
      async () => (await state('hosts-unhealthy'))?.StateValue === 'ALARM',
    );

    const traffic = startTraffic(sim.elb.listenerUrl(listenerArn), 50);
    await sleep(700);
    await traffic.stop();
    // One healthy target gets all the traffic, so per-target requests equal requests.
    expect(new Set(traffic.records.map((r) => r.body))).toEqual(new Set(['up']));
    // ALB metrics are published one to two minutes after their minute closed.
    await sleep(sim.clock.toWall(60_000 + sim.cloudwatch.publicationDelayMs.max) + 50);
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(0),
        EndTime: new Date(sim.clock.now() + 3_600_000),
        MetricDataQueries: [
          {
            Id: 'perTarget',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'RequestCountPerTarget',
                Dimensions: dimensions.slice(1),
              },
              Period: 3600,
              Stat: 'Sum',
            },
          },
          {
            Id: 'requests',
            MetricStat: {
              Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: dimensions },
              Period: 3600,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    const sum = (i: number) => (out.MetricDataResults?.[i]?.Values ?? []).reduce((a, b) => a + b, 0);
    expect(sum(1)).toBe(traffic.records.length);
    expect(sum(0)).toBeCloseTo(traffic.records.length, 5);
  });

  it('lets a test force an alarm with SetAlarmState', async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'forced-quiet',
        Namespace: 'Test/App',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        // Without data, `ignore` keeps whatever state the alarm is in: a forced state stays.
        TreatMissingData: 'ignore',
      }),
    );
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'forced-quiet', StateValue: 'ALARM', StateReason: 'test' }),
    );
    await sleep(500);
    expect(await state('forced-quiet')).toMatchObject({ StateValue: 'ALARM', StateReason: 'test' });

    // With the default TreatMissingData and no data, evaluation takes the alarm back to
    // INSUFFICIENT_DATA, but only after one evaluation cycle (and at least one wall second).
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'forced-missing',
        Namespace: 'Test/App',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    const forcedAt = Date.now();
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'forced-missing', StateValue: 'ALARM', StateReason: 'test' }),
    );
    await sleep(300);
    expect(sim.cloudwatch.alarmState('forced-missing')).toBe('ALARM');
    await waitFor(
      'the forced state to lapse',
      async () => sim.cloudwatch.alarmState('forced-missing') !== 'ALARM',
    );
    expect(Date.now() - forcedAt).toBeGreaterThanOrEqual(1000);
    expect(await state('forced-missing')).toMatchObject({
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Insufficient Data: 1 datapoint was unknown.',
    });

    await expect(
      cw.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'x' })),
    ).rejects.toBeInstanceOf(ResourceNotFound);
    await expect(
      cw.send(
        new SetAlarmStateCommand({
          AlarmName: 'forced-quiet',
          StateValue: 'OK',
          StateReason: 'x',
          StateReasonData: '{',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidFormatFault' });
  });

  it('describes alarms by prefix, type and state, and deletes them', async () => {
    const put = (name: string) =>
      cw.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: 'Test/App',
          MetricName: 'Errors',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'ignore',
        }),
      );
    await put('svc-a-errors');
    await put('svc-a-latency');
    await put('svc-b-errors');
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: 'svc-a-any', AlarmRule: 'ALARM(svc-a-errors)' }));
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'svc-a-latency', StateValue: 'ALARM', StateReason: 'test' }),
    );

    const byPrefix = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'svc-a-' }));
    // Without AlarmTypes, only metric alarms come back (as on AWS).
    expect(byPrefix.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['svc-a-errors', 'svc-a-latency']);
    expect(byPrefix.CompositeAlarms).toEqual([]);
    const both = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'svc-a-', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
    );
    expect(both.CompositeAlarms?.map((a) => a.AlarmName)).toEqual(['svc-a-any']);
    expect(both.CompositeAlarms?.[0]?.AlarmRule).toBe('ALARM(svc-a-errors)');
    const alarming = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'svc-', StateValue: 'ALARM' }),
    );
    expect(alarming.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['svc-a-latency']);
    const paged = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'svc-', MaxRecords: 2 }));
    expect(paged.MetricAlarms).toHaveLength(2);
    const rest = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'svc-', MaxRecords: 2, NextToken: paged.NextToken }),
    );
    expect(rest.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['svc-b-errors']);

    await expect(
      cw.send(new DescribeAlarmsCommand({ AlarmNames: Array.from({ length: 101 }, (_, i) => `a${i}`) })),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      cw.send(new DeleteAlarmsCommand({ AlarmNames: ['svc-b-errors', 'missing'] })),
    ).rejects.toBeInstanceOf(ResourceNotFound);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['svc-b-errors'] }));
    const left = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'svc-b' }));
    expect(left.MetricAlarms).toEqual([]);
  });

  it('rejects invalid alarm definitions with the SDK error classes', async () => {
    await expect(
      cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'both-stats',
          Namespace: 'Test/App',
          MetricName: 'Errors',
          Statistic: 'Sum',
          ExtendedStatistic: 'p95',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterCombinationException);
    await expect(
      cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'bad-period',
          Namespace: 'Test/App',
          MetricName: 'Errors',
          Statistic: 'Sum',
          Period: 45,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(
      cw.send(new PutCompositeAlarmCommand({ AlarmName: 'c', AlarmRule: 'ALARM("does-not-exist")' })),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      cw.send(new PutCompositeAlarmCommand({ AlarmName: 'c', AlarmRule: 'ALARM("x" AND' })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
  });
});

describe('PutMetricAlarm on an existing alarm', () => {
  let sim: Simulator;
  let cw: CloudWatchClient;
  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 60 });
    cw = new CloudWatchClient({
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' },
    });
  });
  afterAll(async () => {
    cw.destroy();
    await sim.stop();
  });

  it('replaces the whole alarm: a field left out is gone, not kept', async () => {
    const base = {
      AlarmName: 'replace-me',
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Statistic: 'Average' as const,
      Period: 60,
      EvaluationPeriods: 2,
      Threshold: 70,
      ComparisonOperator: 'GreaterThanThreshold' as const,
    };
    await cw.send(
      new PutMetricAlarmCommand({
        ...base,
        AlarmDescription: 'first',
        AlarmActions: ['arn:aws:sns:us-east-1:123456789012:first'],
        Dimensions: [{ Name: 'ServiceName', Value: 'web-blue' }],
        TreatMissingData: 'breaching',
      }),
    );
    await cw.send(new PutMetricAlarmCommand(base));
    const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['replace-me'] })))
      .MetricAlarms![0]!;
    expect(alarm.AlarmDescription).toBeUndefined();
    expect(alarm.AlarmActions).toEqual([]);
    expect(alarm.Dimensions ?? []).toEqual([]);
    expect(alarm.TreatMissingData).toBeUndefined();
    expect(alarm.EvaluationPeriods).toBe(2);
  });
});
