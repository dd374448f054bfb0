import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidParameterValueException,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Simulator } from '../index.js';

describe('CloudWatch metrics and alarm evaluation', () => {
  let sim: Simulator;
  let cw: CloudWatchClient;
  const MINUTE = 60_000;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 60 });
    // Evaluation is driven by evaluateNow() here, so results do not depend on timer luck.
    sim.cloudwatch.pauseEvaluation();
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

  /**
   * Waits until the simulated minute has just begun, so a test that puts data into "the last
   * complete minutes" and evaluates them cannot straddle a minute boundary (one simulated
   * minute is one wall second here).
   */
  const freshMinute = async () => {
    while (sim.clock.now() % MINUTE > 15_000) await new Promise((r) => setTimeout(r, 10));
  };

  /** Start of the period `back` complete minutes ago, in simulated time. */
  const minuteStart = (back: number) => Math.floor(sim.clock.now() / MINUTE) * MINUTE - back * MINUTE;

  it('aggregates put data into Sum, Average, SampleCount, Maximum, Minimum and p95', async () => {
    const t = minuteStart(2);
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Service',
        MetricData: [
          {
            MetricName: 'Latency',
            Dimensions: [{ Name: 'Service', Value: 'web' }],
            Timestamp: new Date(t + 1000),
            Values: values,
            Unit: 'Milliseconds',
          },
          {
            MetricName: 'Latency',
            Dimensions: [{ Name: 'Service', Value: 'web' }],
            Timestamp: new Date(t + MINUTE + 1000),
            Value: 7,
            Unit: 'Milliseconds',
          },
        ],
      }),
    );
    const metric = {
      Namespace: 'Test/Service',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'Service', Value: 'web' }],
    };
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t - MINUTE),
        EndTime: new Date(t + 3 * MINUTE),
        MetricDataQueries: ['Sum', 'Average', 'SampleCount', 'Maximum', 'Minimum', 'p95'].map((Stat, i) => ({
          Id: `q${i}`,
          MetricStat: { Metric: metric, Period: 60, Stat },
        })),
      }),
    );
    const first = (i: number) => out.MetricDataResults?.[i]?.Values?.at(-1);
    expect([0, 1, 2, 3, 4, 5].map(first)).toEqual([5050, 50.5, 100, 100, 1, 95]);
    // Newest first by default, one value per period with data.
    expect(out.MetricDataResults?.[0]?.Values).toEqual([7, 5050]);
    expect(out.MetricDataResults?.[0]?.Timestamps?.map((d) => d.getTime())).toEqual([t + MINUTE, t]);
    expect(out.MetricDataResults?.[0]?.StatusCode).toBe('Complete');

    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        ...metric,
        StartTime: new Date(t),
        EndTime: new Date(t + MINUTE),
        Period: 60,
        Statistics: ['Maximum'],
        ExtendedStatistics: ['p50'],
      }),
    );
    expect(stats.Datapoints?.[0]).toMatchObject({ Maximum: 100, ExtendedStatistics: { p50: 50 } });
    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'Test/Service' }));
    expect(listed.Metrics?.map((m) => m.MetricName)).toEqual(['Latency']);
  });

  it('refuses PutMetricData into AWS namespaces; tests feed those through putMetric', async () => {
    await freshMinute();
    await expect(
      cw.send(
        new PutMetricDataCommand({
          Namespace: 'AWS/ECS',
          MetricData: [{ MetricName: 'CPUUtilization', Value: 1 }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    sim.cloudwatch.putMetric({
      namespace: 'AWS/ECS',
      metricName: 'CPUUtilization',
      dimensions: { ClusterName: 'prod', ServiceName: 'web' },
      // AWS services' metrics are published one to two minutes after their minute closed.
      timestamp: minuteStart(3) + 5000,
      value: 85,
    });
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(minuteStart(3)),
        EndTime: new Date(minuteStart(2)),
        MetricDataQueries: [
          {
            Id: 'cpu',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ECS',
                MetricName: 'CPUUtilization',
                Dimensions: [
                  { Name: 'ServiceName', Value: 'web' },
                  { Name: 'ClusterName', Value: 'prod' },
                ],
              },
              Period: 60,
              Stat: 'Average',
            },
          },
        ],
      }),
    );
    expect(out.MetricDataResults?.[0]?.Values).toEqual([85]);
  });

  it('can read query windows in wall-clock time, as code under test picks them', async () => {
    const wallStart = new Date();
    await new Promise((r) => setTimeout(r, 50));
    const at = sim.clock.now();
    sim.cloudwatch.putMetric({
      namespace: 'AWS/ApplicationELB',
      metricName: 'RequestCount',
      dimensions: { LoadBalancer: 'app/wall/0123456789abcdef' },
      timestamp: at,
      value: 1,
    });
    await new Promise((r) => setTimeout(r, sim.clock.toWall(sim.cloudwatch.publishedAt(at) - at) + 20));
    const query = () =>
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'RequestCount',
          Dimensions: [{ Name: 'LoadBalancer', Value: 'app/wall/0123456789abcdef' }],
          StartTime: wallStart,
          EndTime: new Date(),
          Period: 60,
          Statistics: ['Sum'],
        }),
      );
    // Read as simulated times, a wall-clock window lies in the simulated past: no data.
    expect((await query()).Datapoints).toEqual([]);
    sim.cloudwatch.queryWindowClock = 'wall';
    try {
      const points = (await query()).Datapoints ?? [];
      expect(points.map((d) => d.Sum)).toEqual([1]);
      // Timestamps come back in the caller's clock: the minute began at or before the window.
      expect(points[0]!.Timestamp!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(points[0]!.Timestamp!.getTime()).toBeGreaterThan(wallStart.getTime() - 1000);
    } finally {
      sim.cloudwatch.queryWindowClock = 'sim';
    }
  });

  async function alarm(name: string, extra: Partial<ConstructorParameters<typeof PutMetricAlarmCommand>[0]>) {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'Test/Eval',
        MetricName: name,
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 70,
        ComparisonOperator: 'GreaterThanThreshold',
        Statistic: 'Average',
        ...extra,
      }),
    );
  }
  const put = (name: string, back: number, value: number) =>
    cw.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Eval',
        MetricData: [{ MetricName: name, Timestamp: new Date(minuteStart(back) + 1000), Value: value }],
      }),
    );
  const describe1 = async (name: string) =>
    (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];

  it('uses DatapointsToAlarm and explains the transition as CloudWatch does', async () => {
    await freshMinute();
    await alarm('cpu', { EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    await put('cpu', 3, 90);
    await put('cpu', 2, 50);
    await put('cpu', 1, 80.5);
    sim.cloudwatch.evaluateNow();
    const a = await describe1('cpu');
    expect(a?.StateValue).toBe('ALARM');
    expect(a?.StateReason).toMatch(
      /^Threshold Crossed: 2 out of the last 3 datapoints \[80\.5 \(\d\d\/\d\d\/\d\d \d\d:\d\d:00\), 90\.0 \(.+\)\] were greater than the threshold \(70\.0\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/,
    );
    expect(a?.StateTransitionedTimestamp?.getTime()).toBeGreaterThan(minuteStart(1));
  });

  it('goes to ALARM on a p95 above the threshold', async () => {
    await freshMinute();
    await alarm('p95', { Statistic: undefined, ExtendedStatistic: 'p95', Threshold: 500 });
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Eval',
        MetricData: [
          {
            MetricName: 'p95',
            Timestamp: new Date(minuteStart(1) + 1000),
            Values: [100, 900],
            Counts: [90, 10],
          },
        ],
      }),
    );
    sim.cloudwatch.evaluateNow();
    expect((await describe1('p95'))?.StateReason).toMatch(
      /^Threshold Crossed: 1 datapoint \[900\.0 .+\] was greater than the threshold \(500\.0\)\.$/,
    );
  });

  it('treats missing data as configured', async () => {
    await freshMinute();
    await alarm('gone-missing', {});
    await alarm('gone-breaching', { TreatMissingData: 'breaching' });
    await alarm('gone-fine', { TreatMissingData: 'notBreaching' });
    sim.cloudwatch.evaluateNow();
    // Still INSUFFICIENT_DATA: no transition, so the creation reason stands.
    expect(await describe1('gone-missing')).toMatchObject({
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
    });
    expect(await describe1('gone-breaching')).toMatchObject({
      StateValue: 'ALARM',
      StateReason:
        'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].',
    });
    expect(await describe1('gone-fine')).toMatchObject({
      StateValue: 'OK',
      StateReason:
        'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].',
    });
    await put('gone-fine', 1, 12);
    sim.cloudwatch.evaluateNow();
    // Already OK: no transition, so the reason is unchanged.
    expect((await describe1('gone-fine'))?.StateValue).toBe('OK');
    await put('gone-missing', 1, 12);
    sim.cloudwatch.evaluateNow();
    expect((await describe1('gone-missing'))?.StateReason).toMatch(
      /^Threshold Crossed: 1 datapoint \[12\.0 \(.+\)\] was not greater than the threshold \(70\.0\)\.$/,
    );
  });
});
