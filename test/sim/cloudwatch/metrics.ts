/**
 * The metric store: every data point the ALB proxy records or a test puts, kept per series
 * (namespace + name + exact dimension set, as CloudWatch identifies a metric), and aggregated
 * into period buckets with CloudWatch's statistics, percentiles included.
 */
import type { MetricPoint } from '../contracts.js';

export interface Dimension {
  Name: string;
  Value: string;
}

/** One stored sample or statistic set; percentiles need the raw values. */
export interface Sample {
  timestamp: number;
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
  values?: number[];
  /** Simulated ms from which queries and alarms can see the sample (publication delay). */
  visibleAt?: number;
}

export interface Series {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  unit?: string;
  /** Put with StorageResolution 1 at least once: sub-minute periods can be queried. */
  highResolution?: boolean;
  samples: Sample[];
}

export interface Bucket {
  /** Start of the period, simulated epoch ms. */
  timestamp: number;
  value: number;
  sampleCount: number;
}

export function toDimensions(record: Record<string, string>): Dimension[] {
  return Object.entries(record)
    .map(([Name, Value]) => ({ Name, Value }))
    .sort((a, b) => a.Name.localeCompare(b.Name));
}

export function seriesKey(namespace: string, metricName: string, dimensions: Dimension[]): string {
  const dims = [...dimensions]
    .sort((a, b) => a.Name.localeCompare(b.Name))
    .map((d) => `${d.Name}=${d.Value}`);
  return `${namespace}\u0000${metricName}\u0000${dims.join('\u0000')}`;
}

const PERCENTILE = /^p(\d{1,2}(\.\d+)?|100)$/;

export function isValidStatistic(stat: string): boolean {
  return ['Sum', 'Average', 'SampleCount', 'Maximum', 'Minimum'].includes(stat) || PERCENTILE.test(stat);
}

/** Aggregates samples into one statistic value; undefined when the statistic has no data. */
export function aggregate(samples: Sample[], stat: string): number | undefined {
  if (samples.length === 0) return undefined;
  const count = samples.reduce((n, s) => n + s.sampleCount, 0);
  const sum = samples.reduce((n, s) => n + s.sum, 0);
  switch (stat) {
    case 'Sum':
      return sum;
    case 'SampleCount':
      return count;
    case 'Average':
      return count > 0 ? sum / count : undefined;
    case 'Maximum':
      return Math.max(...samples.map((s) => s.max));
    case 'Minimum':
      return Math.min(...samples.map((s) => s.min));
  }
  const m = PERCENTILE.exec(stat);
  if (!m) return undefined;
  // Percentiles need raw values; statistic sets without them cannot answer (as on AWS).
  const values = samples.flatMap((s) => s.values ?? []).sort((a, b) => a - b);
  if (values.length === 0) return undefined;
  const p = Number(m[1]);
  const rank = Math.max(1, Math.ceil((p / 100) * values.length));
  return values[Math.min(values.length, rank) - 1];
}

export class MetricStore {
  private readonly series = new Map<string, Series>();

  put(point: MetricPoint, visibleAt?: number): void {
    this.putSample(point.namespace, point.metricName, toDimensions(point.dimensions), point.unit, {
      timestamp: point.timestamp,
      sampleCount: 1,
      sum: point.value,
      min: point.value,
      max: point.value,
      values: [point.value],
      visibleAt,
    });
  }

  putSample(
    namespace: string,
    metricName: string,
    dimensions: Dimension[],
    unit: string | undefined,
    s: Sample,
  ): void {
    const key = seriesKey(namespace, metricName, dimensions);
    let series = this.series.get(key);
    if (!series) {
      series = { namespace, metricName, dimensions: [...dimensions], unit, samples: [] };
      this.series.set(key, series);
    }
    series.samples.push(s);
  }

  get(namespace: string, metricName: string, dimensions: Dimension[]): Series | undefined {
    return this.series.get(seriesKey(namespace, metricName, dimensions));
  }

  list(): Series[] {
    return [...this.series.values()];
  }

  /**
   * Period buckets within [startMs, endMs), oldest first, only those with data. Buckets start
   * at `alignMs` plus multiples of the period (alarms: 0, multiples of the period; queries:
   * their StartTime rounded down to the minute). With `asOf`, only samples published by then.
   */
  buckets(
    series: Series | undefined,
    stat: string,
    periodMs: number,
    startMs: number,
    endMs: number,
    options: { asOf?: number; alignMs?: number } = {},
  ): Bucket[] {
    if (!series) return [];
    const align = options.alignMs ?? 0;
    const grouped = new Map<number, Sample[]>();
    for (const s of series.samples) {
      if (s.timestamp < startMs || s.timestamp >= endMs) continue;
      if (options.asOf !== undefined && s.visibleAt !== undefined && s.visibleAt > options.asOf) continue;
      const bucket = align + Math.floor((s.timestamp - align) / periodMs) * periodMs;
      const list = grouped.get(bucket);
      if (list) list.push(s);
      else grouped.set(bucket, [s]);
    }
    const out: Bucket[] = [];
    for (const [timestamp, samples] of [...grouped].sort((a, b) => a[0] - b[0])) {
      const value = aggregate(samples, stat);
      if (value === undefined) continue;
      out.push({ timestamp, value, sampleCount: samples.reduce((n, s) => n + s.sampleCount, 0) });
    }
    return out;
  }

  /** One bucket's aggregate as published by `asOf`, or undefined when no data fell in it. */
  bucket(
    series: Series | undefined,
    stat: string,
    startMs: number,
    periodMs: number,
    asOf?: number,
  ): Bucket | undefined {
    return this.buckets(series, stat, periodMs, startMs, startMs + periodMs, { asOf, alignMs: startMs })[0];
  }
}
