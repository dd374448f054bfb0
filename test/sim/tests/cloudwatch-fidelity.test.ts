/**
 * CloudWatch query rules and ALB metric publication as AWS documents them (sources in
 * test/sim/README.md, fidelity table).
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  type GetMetricStatisticsCommandInput,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Simulator } from '../index.js';

describe('CloudWatch fidelity rules', () => {
  let sim: Simulator;
  let cw: CloudWatchClient;
  const MINUTE = 60_000;
  let n = 0;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 60 });
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

  const minuteStart = (back: number) => Math.floor(sim.clock.now() / MINUTE) * MINUTE - back * MINUTE;
  /** A fresh load balancer dimension per test, so tests do not see each other's requests. */
  const lb = () => `app/fid${++n}/0123456789abcdef`;
  const request = (lbDim: string, timestamp: number, metricName = 'RequestCount', value = 1) =>
    sim.cloudwatch.putMetric({
      namespace: 'AWS/ApplicationELB',
      metricName,
      dimensions: { LoadBalancer: lbDim },
      timestamp,
      value,
    });
  const stats = (lbDim: string, input: Partial<GetMetricStatisticsCommandInput>) =>
    cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Dimensions: [{ Name: 'LoadBalancer', Value: lbDim }],
        Period: 60,
        Statistics: ['Sum'],
        StartTime: new Date(minuteStart(10)),
        EndTime: new Date(sim.clock.now()),
        ...input,
      }),
    );
  const byTime = (points: { Timestamp?: Date; Sum?: number }[]) =>
    points.map((p) => [p.Timestamp!.getTime(), p.Sum] as const).sort((a, b) => a[0] - b[0]);

  it('ALB metrics are 60-second aggregates, and a minute without requests has no data point', async () => {
    const d = lb();
    const m = minuteStart(5);
    request(d, m + 1_000);
    request(d, m + 30_000);
    request(d, m + 59_999);
    request(d, m + 2 * MINUTE + 10_000);
    const out = await stats(d, {});
    expect(byTime(out.Datapoints ?? [])).toEqual([
      [m, 3],
      [m + 2 * MINUTE, 1],
    ]);
  });

  it('publishes a minute one to two minutes after it closed, the delay configurable', async () => {
    const d = lb();
    const m = minuteStart(0);
    const at = sim.clock.now();
    request(d, at);
    const published = sim.cloudwatch.publishedAt(at);
    expect(published - (m + MINUTE)).toBeGreaterThanOrEqual(60_000);
    expect(published - (m + MINUTE)).toBeLessThanOrEqual(120_000);
    // Not there while the minute is open, nor after it closed until the delay passed.
    expect((await stats(d, { EndTime: new Date(published + MINUTE) })).Datapoints).toEqual([]);
    while (sim.clock.now() < m + MINUTE + 30_000) await new Promise((r) => setTimeout(r, 20));
    expect((await stats(d, { EndTime: new Date(published + MINUTE) })).Datapoints).toEqual([]);
    while (sim.clock.now() < published) await new Promise((r) => setTimeout(r, 20));
    expect(byTime((await stats(d, { EndTime: new Date(published + MINUTE) })).Datapoints ?? [])).toEqual([
      [m, 1],
    ]);
    // Delays differ between minutes and stay in the range.
    const delays = Array.from(
      { length: 50 },
      (_, i) => sim.cloudwatch.publishedAt(i * MINUTE) - (i + 1) * MINUTE,
    );
    expect(new Set(delays).size).toBeGreaterThan(10);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(60_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(120_000);
    const saved = sim.cloudwatch.publicationDelayMs;
    sim.cloudwatch.publicationDelayMs = { min: 0, max: 0 };
    try {
      expect(sim.cloudwatch.publishedAt(at) - (m + MINUTE)).toBe(0);
    } finally {
      sim.cloudwatch.publicationDelayMs = saved;
    }
  }, 15_000);

  it('rounds StartTime down to the minute (inclusive) and treats EndTime as exclusive', async () => {
    const d = lb();
    const m = minuteStart(6);
    request(d, m + 5_000);
    request(d, m + MINUTE + 5_000);
    // A start inside the minute still returns that whole minute.
    expect(
      byTime(
        (await stats(d, { StartTime: new Date(m + 40_000), EndTime: new Date(m + 2 * MINUTE) })).Datapoints ??
          [],
      ),
    ).toEqual([
      [m, 1],
      [m + MINUTE, 1],
    ]);
    // EndTime at the start of the second minute leaves it out.
    expect(
      byTime((await stats(d, { StartTime: new Date(m), EndTime: new Date(m + MINUTE) })).Datapoints ?? []),
    ).toEqual([[m, 1]]);
    await expect(stats(d, { StartTime: new Date(m), EndTime: new Date(m) })).rejects.toBeInstanceOf(
      InvalidParameterValueException,
    );
  });

  it('Period: 1, 5, 10, 20, 30 or a multiple of 60, and never under 60 for ALB metrics', async () => {
    const d = lb();
    const m = minuteStart(8);
    request(d, m + 1_000);
    request(d, m + MINUTE + 1_000);
    request(d, m + 2 * MINUTE + 1_000);
    await expect(stats(d, { Period: 90 })).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(stats(d, { Period: 45 })).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(stats(d, { Period: 30 })).rejects.toBeInstanceOf(InvalidParameterCombinationException);
    // 120 s periods start at the rounded StartTime and add up whole minutes.
    const two = await stats(d, {
      Period: 120,
      StartTime: new Date(m + 10_000),
      EndTime: new Date(m + 4 * MINUTE),
    });
    expect(byTime(two.Datapoints ?? [])).toEqual([
      [m, 2],
      [m + 2 * MINUTE, 1],
    ]);
  });

  it('at most 1,440 data points per GetMetricStatistics call', async () => {
    const d = lb();
    const end = minuteStart(0);
    await stats(d, { StartTime: new Date(end - 1440 * MINUTE), EndTime: new Date(end) });
    await expect(
      stats(d, { StartTime: new Date(end - 1441 * MINUTE), EndTime: new Date(end) }),
    ).rejects.toThrow(/exceeds the limit of 1440/);
  });

  it('extended statistics are computed over the samples of each aggregated period', async () => {
    const d = lb();
    const m = minuteStart(4);
    for (let i = 1; i <= 100; i++) request(d, m + i * 500, 'TargetResponseTime', i / 1000);
    const out = await stats(d, {
      MetricName: 'TargetResponseTime',
      Statistics: undefined,
      ExtendedStatistics: ['p95', 'p50'],
    });
    expect(out.Datapoints).toHaveLength(1);
    expect(out.Datapoints![0]!.ExtendedStatistics).toEqual({ p95: 0.095, p50: 0.05 });
    const data = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(m),
        EndTime: new Date(m + MINUTE),
        MetricDataQueries: [
          {
            Id: 'p95',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'TargetResponseTime',
                Dimensions: [{ Name: 'LoadBalancer', Value: d }],
              },
              Period: 60,
              Stat: 'p95',
            },
          },
        ],
      }),
    );
    expect(data.MetricDataResults![0]!.Values).toEqual([0.095]);
    expect(data.MetricDataResults![0]!.Timestamps!.map((t) => t.getTime())).toEqual([m]);
  });

  it('an alarm on an ALB metric judges a minute once it is published', async () => {
    const d = lb();
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'fid-late',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [{ Name: 'LoadBalancer', Value: d }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    const at = sim.clock.now();
    request(d, at, 'HTTPCode_Target_5XX_Count', 3);
    sim.cloudwatch.evaluateNow();
    expect(sim.cloudwatch.alarmState('fid-late')).toBe('OK');
    const due = Math.floor(at / MINUTE) * MINUTE + MINUTE + sim.cloudwatch.publicationDelayMs.max;
    while (sim.clock.now() < due) {
      sim.cloudwatch.evaluateNow();
      // Before every minute's data is in, the breaching minute is not judged yet.
      if (sim.clock.now() < due - 1_000) expect(sim.cloudwatch.alarmState('fid-late')).toBe('OK');
      await new Promise((r) => setTimeout(r, 50));
    }
    sim.cloudwatch.evaluateNow();
    expect(sim.cloudwatch.alarmState('fid-late')).toBe('ALARM');
  }, 15_000);
});
