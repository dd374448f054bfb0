/**
 * The CloudWatch part of the simulator: a metric store fed by the ALB proxy (through
 * `MetricSink`) and by PutMetricData, and alarms evaluated on it in simulated time.
 */
import type { MetricPoint, MetricSink } from '../contracts.js';
import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';
import { type Alarm, type CompositeAlarm, evaluateMetricAlarm, formatCompositeTime } from './alarms.js';
import { CloudWatchApi } from './api.js';
import { MetricStore } from './metrics.js';
import { type AlarmState, evaluateRule, ruleAlarms } from './rule.js';

export interface HistoryItem {
  AlarmName: string;
  AlarmType: 'MetricAlarm' | 'CompositeAlarm';
  Timestamp: Date;
  HistoryItemType: 'StateUpdate' | 'ConfigurationUpdate';
  HistorySummary: string;
  HistoryData: string;
}

export class CloudWatchSim implements MetricSink {
  readonly service: ServiceDefinition;
  readonly store = new MetricStore();
  readonly alarms = new Map<string, Alarm>();
  readonly history: HistoryItem[] = [];

  /**
   * How often alarms are evaluated, in simulated ms. AWS evaluates about once a minute; more
   * often here so alarms react within a few wall milliseconds at high time scales.
   */
  evaluationIntervalMs = 10_000;
  /**
   * How long a state set by SetAlarmState stands before evaluation may change it again, in
   * simulated ms: one AWS evaluation cycle.
   */
  forcedStateHoldMs = 60_000;
  /**
   * Wall-clock floor under that hold: at a time scale of 600 one minute is 100 wall ms, less
   * than a loaded test process may take to look, and a forced state nobody saw proves nothing.
   */
  minForcedStateHoldWallMs = 1000;

  /**
   * Which clock the StartTime/EndTime of GetMetricData and GetMetricStatistics are read in.
   * Data points carry simulated timestamps (the simulated clock runs ahead of the wall clock),
   * while code under test picks its windows from the wall clock (`new Date()` when a traffic
   * step began). With `wall`, such a window is mapped onto the simulated time that passed
   * meanwhile, so "the metrics of the last step" mean the same on both sides.
   */
  queryWindowClock: 'sim' | 'wall' = 'sim';

  private timer?: NodeJS.Timeout;
  private paused = false;
  private stopped = false;

  constructor(readonly sim: Simulator) {
    this.service = {
      name: 'cloudwatch',
      protocol: 'json1.0',
      targetPrefix: 'GraniteServiceVersion20100801',
      throttleCode: 'ThrottlingException',
      handlers: new CloudWatchApi(this).handlers(),
    };
    this.schedule();
  }

  private schedule(): void {
    const wall = Math.max(20, this.sim.clock.toWall(this.evaluationIntervalMs));
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.evaluate();
      this.schedule();
    }, wall);
    this.timer.unref();
  }

  // ---------- MetricSink and test API ----------

  /**
   * Records a data point (any namespace, `AWS/...` included; timestamps in simulated ms). Points
   * of the `AWS/` namespaces are what AWS services publish: 60-second aggregates that become
   * visible `publicationDelayMs` after their minute closed.
   */
  putMetric(point: MetricPoint): void {
    this.store.put(point, point.namespace.startsWith('AWS/') ? this.publishedAt(point.timestamp) : undefined);
  }

  /**
   * Simulated ms after the close of a minute at which AWS services' metrics for it become
   * visible: between `min` and `max` (one to two minutes by default), the same for every series
   * of that minute and fixed per minute (a hash, not Math.random), so runs repeat.
   * `{ min: 0, max: 0 }` publishes at the close of the minute.
   */
  publicationDelayMs = { min: 60_000, max: 120_000 };

  /** When the minute holding `timestamp` (simulated ms) is published. */
  publishedAt(timestamp: number): number {
    const minute = Math.floor(timestamp / 60_000);
    const { min, max } = this.publicationDelayMs;
    const spread = Math.max(0, max - min);
    // A small integer hash of the minute: deterministic, spread over [min, max].
    const h = Math.imul(minute ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
    return (minute + 1) * 60_000 + min + (spread ? h % (spread + 1) : 0);
  }

  /** The current state of an alarm, or undefined if it does not exist. */
  alarmState(name: string): AlarmState | undefined {
    return this.alarms.get(name)?.StateValue;
  }

  /** Stops periodic evaluation (states then change only by SetAlarmState or evaluateNow). */
  pauseEvaluation(): void {
    this.paused = true;
  }

  resumeEvaluation(): void {
    this.paused = false;
  }

  /** Evaluates every alarm now, at the current simulated time. */
  evaluateNow(): void {
    this.evaluate(true);
  }

  /** A client-supplied query time (epoch ms) in simulated time, per `queryWindowClock`. */
  queryTime(ms: number): number {
    if (this.queryWindowClock === 'sim') return ms;
    return this.sim.clock.now() - (Date.now() - ms) * this.sim.clock.scale;
  }

  /**
   * A simulated timestamp in the caller's clock, the inverse of `queryTime`: with `wall`, the
   * data points a query returns carry times the caller can compare with the window it asked for.
   */
  answerTime(simMs: number): number {
    if (this.queryWindowClock === 'sim') return simMs;
    return Date.now() - (this.sim.clock.now() - simMs) / this.sim.clock.scale;
  }

  // ---------- evaluation ----------

  private evaluate(force = false): void {
    if (this.paused && !force) return;
    const now = this.sim.clock.now();
    for (const alarm of this.alarms.values()) {
      if (alarm.kind !== 'metric') continue;
      if (alarm.heldUntil !== undefined && Date.now() < alarm.heldUntil) continue;
      alarm.heldUntil = undefined;
      const lag = alarm.Namespace.startsWith('AWS/') ? this.publicationDelayMs.max : 0;
      const result = evaluateMetricAlarm(alarm, this.store, now, lag);
      if (result && result.state !== alarm.StateValue) {
        this.transition(alarm, result.state, result.reason, result.reasonData);
      }
    }
    this.evaluateComposites();
  }

  /** Composite alarms follow their children; repeated so composites of composites settle. */
  evaluateComposites(): void {
    const stateOf = (name: string) => this.alarms.get(name)?.StateValue;
    for (let round = 0; round < 10; round++) {
      let changed = false;
      for (const alarm of this.alarms.values()) {
        if (alarm.kind !== 'composite') continue;
        if (alarm.heldUntil !== undefined && Date.now() < alarm.heldUntil) continue;
        alarm.heldUntil = undefined;
        const state: AlarmState = evaluateRule(alarm.rule, stateOf) ? 'ALARM' : 'OK';
        if (state === alarm.StateValue) continue;
        const { reason, data } = this.compositeReason(alarm, state);
        this.transition(alarm, state, reason, data);
        changed = true;
      }
      if (!changed) return;
    }
  }

  private compositeReason(alarm: CompositeAlarm, state: AlarmState): { reason: string; data: string } {
    const children = ruleAlarms(alarm.rule)
      .map((name) => this.alarms.get(name))
      .filter((a): a is Alarm => a !== undefined)
      .sort((a, b) => b.StateTransitionedTimestamp.getTime() - a.StateTransitionedTimestamp.getTime());
    const triggering = (
      state === 'ALARM' ? children.filter((c) => c.StateValue === 'ALARM') : children
    ).slice(0, 1);
    const first = triggering[0];
    const reason = first
      ? `${first.AlarmArn} transitioned to ${first.StateValue} at ${formatCompositeTime(first.StateTransitionedTimestamp.getTime())}`
      : `Alarm rule evaluated to ${state === 'ALARM' ? 'TRUE' : 'FALSE'}`;
    const data = JSON.stringify({
      triggeringAlarms: triggering.map((c) => ({
        arn: c.AlarmArn,
        state: {
          value: c.StateValue,
          timestamp: c.StateTransitionedTimestamp.toISOString().replace('Z', '+0000'),
        },
      })),
    });
    return { reason, data };
  }

  private transition(alarm: Alarm, state: AlarmState, reason: string, reasonData?: string): void {
    const previous = alarm.StateValue;
    const now = new Date(this.sim.clock.now());
    alarm.StateValue = state;
    alarm.StateReason = reason;
    alarm.StateReasonData = reasonData;
    alarm.StateUpdatedTimestamp = now;
    alarm.StateTransitionedTimestamp = now;
    // A metric alarm going to ALARM runs the step-scaling policies its actions name (the only
    // way a step policy acts); other actions (SNS …) are recorded, not run.
    if (state === 'ALARM' && alarm.ActionsEnabled && alarm.kind === 'metric') {
      const recent = (JSON.parse(reasonData ?? '{}') as { recentDatapoints?: number[] }).recentDatapoints;
      for (const arn of alarm.AlarmActions) {
        if (/^arn:aws:autoscaling:[^:]+:\d+:scalingPolicy:/.test(arn)) {
          this.sim.autoscaling.runStepPolicy(
            arn,
            recent?.[0] ?? alarm.Threshold,
            alarm.Threshold,
            alarm.AlarmName,
          );
        }
      }
    }
    this.history.push({
      AlarmName: alarm.AlarmName,
      AlarmType: alarm.kind === 'metric' ? 'MetricAlarm' : 'CompositeAlarm',
      Timestamp: now,
      HistoryItemType: 'StateUpdate',
      HistorySummary: `Alarm updated from ${previous} to ${state}`,
      HistoryData: JSON.stringify({
        version: '1.0',
        oldState: { stateValue: previous },
        newState: { stateValue: state, stateReason: reason },
      }),
    });
  }

  /** Stores a new or updated alarm (an update keeps the state) and re-evaluates composites. */
  saveAlarm(alarm: Alarm, created: boolean): void {
    this.alarms.set(alarm.AlarmName, alarm);
    this.history.push({
      AlarmName: alarm.AlarmName,
      AlarmType: alarm.kind === 'metric' ? 'MetricAlarm' : 'CompositeAlarm',
      Timestamp: alarm.AlarmConfigurationUpdatedTimestamp,
      HistoryItemType: 'ConfigurationUpdate',
      HistorySummary: `Alarm "${alarm.AlarmName}" ${created ? 'created' : 'updated'}`,
      HistoryData: JSON.stringify({ version: '1.0', type: created ? 'Create' : 'Update' }),
    });
    if (alarm.kind === 'composite') this.evaluateComposites();
  }

  /** SetAlarmState: the state stands until the next evaluation cycle, as on AWS. */
  forceState(alarm: Alarm, state: AlarmState, reason: string, reasonData?: string): void {
    this.transition(alarm, state, reason, reasonData);
    alarm.heldUntil =
      Date.now() + Math.max(this.sim.clock.toWall(this.forcedStateHoldMs), this.minForcedStateHoldWallMs);
    this.evaluateComposites();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
