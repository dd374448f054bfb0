/**
 * Target-tracking policies that act, as Application Auto Scaling runs them for an ECS service:
 * the metric is read from CloudWatch as it is published (whole minutes, after the publication
 * delay), and the desired count becomes ceil(current × metric ÷ target) within the scalable
 * target's bounds — out after 3 consecutive minutes above the target, in after 15 below 90 % of
 * it (the alarms target tracking creates), each direction after its cooldown (300 s default),
 * never while that direction is suspended or scale-in is disabled. Without data there is no
 * scaling (the alarms are INSUFFICIENT_DATA).
 *
 * Metrics: `ALBRequestCountPerTarget` is `RequestCountPerTarget` (Sum) of the target group its
 * `ResourceLabel` names (`app/<lb>/<id>/targetgroup/<tg>/<id>`); `ECSServiceAverageCPUUtilization`
 * / `…MemoryUtilization` are `AWS/ECS` `CPUUtilization` / `MemoryUtilization` (Average) by
 * ClusterName and ServiceName; a customized metric is read as given.
 */
import type { Dimension, MetricStore } from '../cloudwatch/metrics.js';

export interface TargetTrackingConfig {
  TargetValue: number;
  PredefinedMetricSpecification?: { PredefinedMetricType: string; ResourceLabel?: string };
  CustomizedMetricSpecification?: {
    MetricName: string;
    Namespace: string;
    Dimensions?: Dimension[];
    Statistic: string;
  };
  ScaleOutCooldown?: number;
  ScaleInCooldown?: number;
  DisableScaleIn?: boolean;
}

export interface MetricRef {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  stat: string;
}

export function metricOf(cfg: TargetTrackingConfig, cluster: string, service: string): MetricRef | undefined {
  const pre = cfg.PredefinedMetricSpecification;
  if (pre?.PredefinedMetricType === 'ALBRequestCountPerTarget') {
    const tg = /(targetgroup\/[^/]+\/[^/]+)$/.exec(pre.ResourceLabel ?? '')?.[1];
    if (!tg) return undefined;
    return {
      namespace: 'AWS/ApplicationELB',
      metricName: 'RequestCountPerTarget',
      dimensions: [{ Name: 'TargetGroup', Value: tg }],
      stat: 'Sum',
    };
  }
  const ecsMetric: Record<string, string> = {
    ECSServiceAverageCPUUtilization: 'CPUUtilization',
    ECSServiceAverageMemoryUtilization: 'MemoryUtilization',
  };
  if (pre && ecsMetric[pre.PredefinedMetricType]) {
    return {
      namespace: 'AWS/ECS',
      metricName: ecsMetric[pre.PredefinedMetricType]!,
      dimensions: [
        { Name: 'ClusterName', Value: cluster },
        { Name: 'ServiceName', Value: service },
      ],
      stat: 'Average',
    };
  }
  const c = cfg.CustomizedMetricSpecification;
  if (c)
    return {
      namespace: c.Namespace,
      metricName: c.MetricName,
      dimensions: c.Dimensions ?? [],
      stat: c.Statistic,
    };
  return undefined;
}

const MINUTE = 60_000;
const OUT_MINUTES = 3;
const IN_MINUTES = 15;

/** The last `n` published minutes, newest first (undefined where a minute has no data). */
function lastMinutes(store: MetricStore, m: MetricRef, now: number, lagMs: number, n: number) {
  const series = store.get(m.namespace, m.metricName, m.dimensions);
  const end = Math.floor((now - lagMs) / MINUTE) * MINUTE;
  return Array.from(
    { length: n },
    (_, i) => store.bucket(series, m.stat, end - (i + 1) * MINUTE, MINUTE, now)?.value,
  );
}

/** The desired count the policy asks for now, or undefined to leave it. */
export function decide(
  cfg: TargetTrackingConfig,
  metric: MetricRef,
  store: MetricStore,
  state: { current: number; now: number; lagMs: number; lastOutAt?: number; lastInAt?: number },
): { desired: number; direction: 'out' | 'in' } | undefined {
  const recent = lastMinutes(store, metric, state.now, state.lagMs, IN_MINUTES);
  const latest = recent[0];
  if (latest === undefined || state.current === 0) return undefined;
  const wanted = Math.ceil((state.current * latest) / cfg.TargetValue);
  const outCooldown = (cfg.ScaleOutCooldown ?? 300) * 1000;
  const inCooldown = (cfg.ScaleInCooldown ?? 300) * 1000;
  const out = recent.slice(0, OUT_MINUTES);
  if (out.every((v) => v !== undefined && v > cfg.TargetValue) && wanted > state.current) {
    if (state.lastOutAt !== undefined && state.now - state.lastOutAt < outCooldown) return undefined;
    return { desired: wanted, direction: 'out' };
  }
  if (
    !cfg.DisableScaleIn &&
    recent.every((v) => v !== undefined && v < 0.9 * cfg.TargetValue) &&
    wanted < state.current
  ) {
    if (state.lastInAt !== undefined && state.now - state.lastInAt < inCooldown) return undefined;
    return { desired: Math.max(1, wanted), direction: 'in' };
  }
  return undefined;
}
