/**
 * The rules GetMetricStatistics and GetMetricData apply to a query window (CloudWatch API
 * Reference; sources in `../README.md`): `Period` is 1, 5, 10, 20, 30 or a multiple of 60, and
 * below 60 only for high-resolution metrics; `StartTime` is rounded down to the whole minute (to
 * the period's division of a minute below 60 s) and inclusive; `EndTime` is exclusive and after
 * `StartTime`; one GetMetricStatistics call returns at most 1,440 data points.
 */
import { AwsError } from '../core/errors.js';
import type { Series } from './metrics.js';

const HIGH_RESOLUTION_PERIODS = new Set([1, 5, 10, 20, 30]);
export const MAX_STATISTICS_DATAPOINTS = 1440;

const invalid = (message: string) => new AwsError('InvalidParameterValue', message);
const combination = (message: string) => new AwsError('InvalidParameterCombination', message);

export function checkPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1 || (period < 60 && !HIGH_RESOLUTION_PERIODS.has(period))) {
    throw invalid(`The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60 (was ${period}).`);
  }
  if (period >= 60 && period % 60 !== 0) {
    throw invalid(
      `The parameter Period must be a multiple of 60 for periods of a minute or more (was ${period}).`,
    );
  }
}

/** Standard-resolution metrics (every AWS service metric, ALB's included) have no sub-minute data. */
export function checkResolution(period: number, series: Series | undefined): void {
  if (period < 60 && series && !series.highResolution) {
    throw combination(
      `The metric ${series.namespace} ${series.metricName} has standard (60-second) resolution: Period must be a multiple of 60.`,
    );
  }
}

/** [start, end) in simulated ms, StartTime rounded down as CloudWatch rounds recent start times. */
export function queryWindow(startMs: number, endMs: number, period: number): { start: number; end: number } {
  const unit = period < 60 ? period * 1000 : 60_000;
  const start = Math.floor(startMs / unit) * unit;
  if (endMs <= startMs) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  return { start, end: endMs };
}

export function checkStatisticsDatapoints(start: number, end: number, period: number): void {
  const requested = Math.ceil((end - start) / (period * 1000));
  if (requested > MAX_STATISTICS_DATAPOINTS) {
    throw combination(
      `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
}
