/**
 * Judging one gated window of a release (a traffic step's pause, or the bake) on the new
 * side's own CloudWatch metrics. The pause alone may end before CloudWatch shows a complete
 * minute of the step's traffic (on AWS: up to a minute until the next minute starts, the minute
 * itself, then one to a few minutes until it is published), so the window is extended, still
 * watching alarms and targets, until one such minute is there or `metric-wait` has passed.
 * Without one, the step says so, and `metric-no-data` decides.
 */
import * as core from '@actions/core';
import type { AlarmWatch } from '../../aws/alarms.js';
import type { AwsClients } from '../../aws/clients.js';
import {
  type GateReading,
  gatesEnabled,
  hadTraffic,
  judgeGates,
  readGateMetrics,
} from '../../aws/metrics.js';
import type { BlueGreenSettings } from '../../settings/blue-green.js';
import { formatDuration } from '../../settings/values.js';
import type { Side } from './topology.js';
import { watchRelease } from './watch.js';

export interface GateResult {
  /** `after 10%`, `bake`. */
  window: string;
  verdict: 'passed' | 'failed' | 'no data';
  /** Complete, published minutes judged. */
  minutes: number;
  requests: number;
  errors5xx: number;
  p95Ms?: number;
  /** How long the window was extended to wait for metrics (wall ms). */
  waitedMs: number;
  detail?: string;
}

export async function judgeWindow(
  clients: AwsClients,
  bg: BlueGreenSettings,
  alarms: AlarmWatch,
  sides: { idle: Side; live: Side },
  window: { label: string; start: Date; pollMs: number; signal: AbortSignal },
): Promise<GateResult | undefined> {
  if (!gatesEnabled(bg)) return undefined;
  const where = { listenerArn: bg.listener, targetGroupArn: sides.idle.targetGroupArn };
  const read = () => readGateMetrics(clients.cloudwatch, where, { start: window.start, end: new Date() }, bg);
  const waitStart = Date.now();
  let reading: GateReading = await read();
  if (reading.minutes === 0) {
    core.info(
      `Waiting up to ${formatDuration(bg.metricWaitMs)} for CloudWatch to show a complete minute of ${sides.idle.color}'s traffic since the ${window.label} began (input "metric-wait").`,
    );
  }
  while (reading.minutes === 0 && Date.now() - waitStart < bg.metricWaitMs) {
    const remaining = bg.metricWaitMs - (Date.now() - waitStart);
    await watchRelease(
      clients,
      alarms,
      sides.idle,
      Math.min(window.pollMs, remaining),
      window.pollMs,
      `waiting for metrics (${window.label})`,
      window.signal,
    );
    reading = await read();
  }
  const base = {
    window: window.label,
    minutes: reading.minutes,
    requests: reading.requests,
    errors5xx: reading.errors5xx,
    p95Ms: reading.p95Ms,
    waitedMs: Date.now() - waitStart,
  };
  if (reading.minutes > 0) {
    const failure = judgeGates(reading, bg);
    const summary = `${reading.minutes} minute${reading.minutes === 1 ? '' : 's'}, ${reading.requests} requests, ${reading.errors5xx} 5xx${reading.p95Ms !== undefined ? `, p95 ${Math.round(reading.p95Ms)}ms` : ''}`;
    core.info(
      `Metric gates over the ${window.label} on ${sides.idle.color}: ${summary}: ${failure ? 'failed' : 'passed'}.`,
    );
    return { ...base, verdict: failure ? 'failed' : 'passed', detail: failure };
  }
  const noData = `no complete, published minute of ${sides.idle.color}'s traffic in CloudWatch within ${formatDuration(bg.metricWaitMs)} after the ${window.label} (input "metric-wait")`;
  let fail = bg.metricNoData === 'fail';
  let why = '';
  if (bg.metricNoData === 'fail-if-traffic') {
    const liveWhere = { listenerArn: bg.listener, targetGroupArn: sides.live.targetGroupArn };
    // Traffic was expected when the listener carried requests while the window lasted: the
    // live side's published minutes say so, in CloudWatch's own timestamps.
    fail = await hadTraffic(clients.cloudwatch, liveWhere, window.start, new Date());
    why = fail ? `, while ${sides.live.color} had traffic` : `; ${sides.live.color} had none either`;
  }
  const detail = `${noData}${why}`;
  if (fail)
    return { ...base, verdict: 'failed', detail: `${detail} (input "metric-no-data": ${bg.metricNoData})` };
  core.warning(
    `Metric gates not judged: ${detail}. Passing the step (input "metric-no-data": ${bg.metricNoData}).`,
  );
  return { ...base, verdict: 'no data', detail };
}
