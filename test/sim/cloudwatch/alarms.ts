/**
 * Alarm models and their evaluation in simulated time: a metric alarm looks at its last
 * EvaluationPeriods complete periods, applies TreatMissingData and DatapointsToAlarm, and
 * explains a transition in CloudWatch's own words; a composite alarm follows its rule.
 */
import type { Dimension, MetricStore } from './metrics.js';
import type { AlarmState, RuleNode } from './rule.js';

export interface Tag {
  Key: string;
  Value: string;
}

interface AlarmBase {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  StateValue: AlarmState;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: Date;
  StateTransitionedTimestamp: Date;
  AlarmConfigurationUpdatedTimestamp: Date;
  tags: Tag[];
  /** Wall-clock ms until which a state set by SetAlarmState is left alone. */
  heldUntil?: number;
}

export interface MetricAlarm extends AlarmBase {
  kind: 'metric';
  MetricName: string;
  Namespace: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions: Dimension[];
  Period: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  EvaluateLowSampleCountPercentile?: string;
  /** When the alarm was defined with `Metrics` (a single MetricStat), echoed back as given. */
  Metrics?: unknown[];
}

export interface CompositeAlarm extends AlarmBase {
  kind: 'composite';
  AlarmRule: string;
  rule: RuleNode;
}

export type Alarm = MetricAlarm | CompositeAlarm;

export interface Evaluation {
  state: AlarmState;
  reason: string;
  reasonData: string;
}

export const COMPARISONS: Record<string, { words: string; test: (v: number, t: number) => boolean }> = {
  GreaterThanThreshold: { words: 'greater than', test: (v, t) => v > t },
  GreaterThanOrEqualToThreshold: { words: 'greater than or equal to', test: (v, t) => v >= t },
  LessThanThreshold: { words: 'less than', test: (v, t) => v < t },
  LessThanOrEqualToThreshold: { words: 'less than or equal to', test: (v, t) => v <= t },
};

/** CloudWatch prints numbers as Java doubles: `12.0`, `0.5`. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `27/11/26 03:10:00`, the datapoint time format in StateReason. */
export function formatReasonTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `2026-11-27T03:10:00.000+0000`, the time format inside StateReasonData. */
export function formatReasonDataTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Evaluates a metric alarm at simulated time `now`. Only complete periods count, most recent
 * first, so a period that has just started (and has little data yet) cannot flip the alarm.
 */
export function evaluateMetricAlarm(
  alarm: MetricAlarm,
  store: MetricStore,
  now: number,
  /**
   * How long the metric's data takes to be published. CloudWatch retrieves an evaluation range
   * wider than EvaluationPeriods so late data is judged when it arrives; here the evaluated
   * periods are the latest ones whose data is all in.
   */
  publicationLagMs = 0,
): Evaluation | undefined {
  const periodMs = alarm.Period * 1000;
  const end = Math.floor((now - publicationLagMs) / periodMs) * periodMs;
  const n = alarm.EvaluationPeriods;
  const m = alarm.DatapointsToAlarm ?? n;
  const stat = alarm.ExtendedStatistic ?? alarm.Statistic ?? 'Average';
  const series = store.get(alarm.Namespace, alarm.MetricName, alarm.Dimensions);
  const cmp = COMPARISONS[alarm.ComparisonOperator];
  if (!cmp) return undefined;
  const evaluated: { timestamp: number; value?: number; sampleCount?: number }[] = [];
  for (let i = 1; i <= n; i++) {
    const start = end - i * periodMs;
    // An alarm sees what is published by now: a late minute counts as missing until it lands.
    const b = store.bucket(series, stat, start, periodMs, now);
    evaluated.push({ timestamp: start, value: b?.value, sampleCount: b?.sampleCount });
  }
  const present = evaluated.filter((e) => e.value !== undefined) as {
    timestamp: number;
    value: number;
    sampleCount: number;
  }[];
  const missing = n - present.length;
  const treat = alarm.TreatMissingData ?? 'missing';
  const threshold = formatNumber(alarm.Threshold);
  const reasonData = JSON.stringify({
    version: '1.0',
    queryDate: formatReasonDataTime(now),
    startDate: formatReasonDataTime(end - n * periodMs),
    ...(alarm.ExtendedStatistic ? { unit: alarm.Unit } : { statistic: alarm.Statistic, unit: alarm.Unit }),
    period: alarm.Period,
    recentDatapoints: present.map((p) => p.value),
    threshold: alarm.Threshold,
    evaluatedDatapoints: present.map((p) => ({
      timestamp: formatReasonDataTime(p.timestamp),
      sampleCount: p.sampleCount,
      value: p.value,
    })),
  });
  const list = (points: { timestamp: number; value: number }[]) =>
    `[${points.map((p) => `${formatNumber(p.value)} (${formatReasonTime(p.timestamp)})`).join(', ')}]`;

  if (present.length === 0 && (treat === 'missing' || treat === 'ignore')) {
    if (treat === 'ignore') return undefined;
    return {
      state: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: ${plural(n, 'datapoint')} ${n === 1 ? 'was' : 'were'} unknown.`,
      reasonData,
    };
  }
  const breaching = present.filter((p) => cmp.test(p.value, alarm.Threshold));
  const missingBreaching = treat === 'breaching' ? missing : 0;
  const breachCount = breaching.length + missingBreaching;
  if (present.length === 0) {
    const as = treat === 'breaching' ? 'Breaching' : 'NonBreaching';
    return {
      state: breachCount >= m ? 'ALARM' : 'OK',
      reason: `Threshold Crossed: no datapoints were received for ${plural(n, 'period')} and ${plural(missing, 'missing datapoint')} ${missing === 1 ? 'was' : 'were'} treated as [${as}].`,
      reasonData,
    };
  }
  if (breachCount >= m) {
    const shown = breaching.length > 0 ? breaching : present;
    const count =
      m === n && breaching.length === n
        ? plural(n, 'datapoint')
        : `${breachCount} out of the last ${plural(n, 'datapoint')}`;
    const verb = breachCount === 1 && m === n ? 'was' : 'were';
    const minimum = m < n ? ` (minimum ${plural(m, 'datapoint')} for OK -> ALARM transition)` : '';
    return {
      state: 'ALARM',
      reason: `Threshold Crossed: ${count} ${list(shown)} ${verb} ${cmp.words} the threshold (${threshold})${minimum}.`,
      reasonData,
    };
  }
  const good = present.filter((p) => !cmp.test(p.value, alarm.Threshold));
  const shown = good.length > 0 ? good : present;
  return {
    state: 'OK',
    reason: `Threshold Crossed: ${plural(shown.length, 'datapoint')} ${list(shown)} ${shown.length === 1 ? 'was' : 'were'} not ${cmp.words} the threshold (${threshold}).`,
    reasonData,
  };
}

/** `Friday 27 November, 2026 03:10:00 UTC`, the time format of composite alarm reasons. */
export function formatCompositeTime(ms: number): string {
  const d = new Date(ms);
  const day = d.toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' });
  const month = d.toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' });
  return `${day} ${d.getUTCDate()} ${month}, ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}
