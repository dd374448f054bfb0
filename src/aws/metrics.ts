/**
 * Metric gates of a traffic step: the new target group's 5xx share and p95 response time while
 * the step lasted, from the load balancer's own CloudWatch metrics. No data (too little traffic,
 * or metrics not yet published) passes: an alarm is the tool for "no data is bad".
 */
import {
  type CloudWatchClient,
  type Datapoint,
  GetMetricStatisticsCommand,
} from '@aws-sdk/client-cloudwatch';

export interface GateLimits {
  max5xxRatePercent?: number;
  /** 0: no latency gate. */
  maxP95LatencyMs: number;
}

export interface GateReading {
  requests: number;
  errors5xx: number;
  p95Ms?: number;
}

/** `app/name/id` from a listener ARN, `targetgroup/name/id` from a target-group ARN. */
export function loadBalancerDimension(listenerArn: string): string | undefined {
  return /:listener(?:-rule)?\/(app\/[^/]+\/[^/]+)\//.exec(listenerArn)?.[1];
}
export function targetGroupDimension(targetGroupArn: string): string | undefined {
  return /:(targetgroup\/[^/]+\/[^/]+)$/.exec(targetGroupArn)?.[1];
}

export async function readGateMetrics(
  cloudwatch: CloudWatchClient,
  where: { listenerArn: string; targetGroupArn: string },
  window: { start: Date; end: Date },
  limits: GateLimits,
): Promise<GateReading | undefined> {
  const lb = loadBalancerDimension(where.listenerArn);
  const tg = targetGroupDimension(where.targetGroupArn);
  if (!lb || !tg) return undefined;
  const Dimensions = [
    { Name: 'LoadBalancer', Value: lb },
    { Name: 'TargetGroup', Value: tg },
  ];
  const get = async (MetricName: string, stat: { Statistics?: ['Sum']; ExtendedStatistics?: ['p95'] }) =>
    (
      await cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/ApplicationELB',
          MetricName,
          Dimensions,
          StartTime: window.start,
          EndTime: window.end,
          Period: 60,
          ...stat,
        }),
      )
    ).Datapoints ?? [];
  const sum = (points: Datapoint[]) => points.reduce((t, p) => t + (p.Sum ?? 0), 0);
  const requests = sum(await get('RequestCount', { Statistics: ['Sum'] }));
  const errors5xx =
    limits.max5xxRatePercent !== undefined
      ? sum(await get('HTTPCode_Target_5XX_Count', { Statistics: ['Sum'] }))
      : 0;
  let p95Ms: number | undefined;
  if (limits.maxP95LatencyMs > 0) {
    const points = await get('TargetResponseTime', { ExtendedStatistics: ['p95'] });
    const values = points.map((p) => p.ExtendedStatistics?.p95).filter((v): v is number => v !== undefined);
    // The worst minute decides: an average would hide a bad one.
    if (values.length) p95Ms = Math.max(...values) * 1000;
  }
  return { requests, errors5xx, p95Ms };
}

/** Why the step fails its gates, or undefined when it passes. */
export function judgeGates(reading: GateReading | undefined, limits: GateLimits): string | undefined {
  if (!reading) return undefined;
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
