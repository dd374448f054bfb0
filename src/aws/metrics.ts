/**
 * Metric gates of a traffic step: the new target group's 5xx share and p95 response time while
 * the step lasted, from the load balancer's own CloudWatch metrics.
 *
 * ALB metrics are one-minute aggregates that CloudWatch shows a while after the minute ends, and
 * a minute without requests has no data point. So a gate judges only the minutes CloudWatch
 * returns that began at or after the step began (CloudWatch rounds StartTime down to the
 * minute, so the minute the step began in, which also holds traffic from before, comes back
 * with an earlier timestamp and is left out). Every decision rests on the timestamps and
 * periods CloudWatch returns, never on the caller's idea of how fast its clock runs.
 */
import {
  type CloudWatchClient,
  type Datapoint,
  GetMetricStatisticsCommand,
} from '@aws-sdk/client-cloudwatch';
import { loadBalancerDimension, targetGroupDimension } from './arn.js';

export interface GateLimits {
  max5xxRatePercent?: number;
  /** 0: no latency gate. */
  maxP95LatencyMs: number;
}

export interface GateReading {
  /** Complete, published minutes of the new side's traffic inside the window. */
  minutes: number;
  requests: number;
  errors5xx: number;
  p95Ms?: number;
}

export { loadBalancerDimension, targetGroupDimension };

export function gatesEnabled(limits: GateLimits): boolean {
  return limits.max5xxRatePercent !== undefined || limits.maxP95LatencyMs > 0;
}

type Where = { listenerArn: string; targetGroupArn: string };

async function datapoints(
  cloudwatch: CloudWatchClient,
  where: Where,
  MetricName: string,
  window: { start: Date; end: Date; period?: number },
  stat: { Statistics?: ['Sum']; ExtendedStatistics?: ['p95'] },
): Promise<Datapoint[]> {
  const lb = loadBalancerDimension(where.listenerArn);
  const tg = targetGroupDimension(where.targetGroupArn);
  if (!lb || !tg) return [];
  const out = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/ApplicationELB',
      MetricName,
      Dimensions: [
        { Name: 'LoadBalancer', Value: lb },
        { Name: 'TargetGroup', Value: tg },
      ],
      StartTime: window.start,
      EndTime: window.end,
      Period: window.period ?? 60,
      ...stat,
    }),
  );
  return out.Datapoints ?? [];
}

/** The minutes that began inside the window: complete, since CloudWatch shows a minute once it ended. */
const inside = (points: Datapoint[], start: Date) =>
  points.filter((p) => p.Timestamp !== undefined && p.Timestamp.getTime() >= start.getTime());

export async function readGateMetrics(
  cloudwatch: CloudWatchClient,
  where: Where,
  window: { start: Date; end: Date },
  limits: GateLimits,
): Promise<GateReading> {
  const sum = (points: Datapoint[]) => points.reduce((t, p) => t + (p.Sum ?? 0), 0);
  const counted = inside(
    await datapoints(cloudwatch, where, 'RequestCount', window, { Statistics: ['Sum'] }),
    window.start,
  );
  const reading: GateReading = { minutes: counted.length, requests: sum(counted), errors5xx: 0 };
  if (reading.minutes === 0) return reading;
  if (limits.max5xxRatePercent !== undefined) {
    const points = await datapoints(cloudwatch, where, 'HTTPCode_Target_5XX_Count', window, {
      Statistics: ['Sum'],
    });
    reading.errors5xx = sum(inside(points, window.start));
  }
  if (limits.maxP95LatencyMs > 0) {
    const points = await datapoints(cloudwatch, where, 'TargetResponseTime', window, {
      ExtendedStatistics: ['p95'],
    });
    const values = inside(points, window.start)
      .map((p) => p.ExtendedStatistics?.p95)
      .filter((v): v is number => v !== undefined);
    // The worst minute decides: an average would hide a bad one.
    if (values.length) reading.p95Ms = Math.max(...values) * 1000;
  }
  return reading;
}

/**
 * Whether a target group served requests in published minutes that began inside the window:
 * for the live side, whether the listener carried traffic the new side should have had a share of.
 */
export async function hadTraffic(
  cloudwatch: CloudWatchClient,
  where: Where,
  since: Date,
  until: Date,
): Promise<boolean> {
  const points = await datapoints(
    cloudwatch,
    where,
    'RequestCount',
    { start: since, end: until },
    {
      Statistics: ['Sum'],
    },
  );
  return inside(points, since).some((p) => (p.Sum ?? 0) > 0);
}

/** Why the step fails its gates, or undefined when it passes (a reading with minutes of traffic). */
export function judgeGates(reading: GateReading, limits: GateLimits): string | undefined {
  if (limits.max5xxRatePercent !== undefined && reading.requests > 0) {
    const rate = (reading.errors5xx / reading.requests) * 100;
    if (rate > limits.max5xxRatePercent) {
      return `5xx rate ${rate.toFixed(1)}% (${reading.errors5xx} of ${reading.requests} requests) is above ${limits.max5xxRatePercent}% (input "max-5xx-rate")`;
    }
  }
  if (limits.maxP95LatencyMs > 0 && reading.p95Ms !== undefined && reading.p95Ms > limits.maxP95LatencyMs) {
    return `p95 response time ${Math.round(reading.p95Ms)}ms is above ${limits.maxP95LatencyMs}ms (input "max-p95-latency")`;
  }
  return undefined;
}
