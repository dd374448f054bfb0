/**
 * The CloudWatch control plane (awsJson1_0, query compatible): metric and composite alarms,
 * alarm state and history, and metric data in and out. Errors use the query error codes
 * (`InvalidParameterValue`, `ResourceNotFound`, ...) that the SDK maps to its classes.
 */

import { ACCOUNT, REGION } from '../contracts.js';
import { AwsError } from '../core/errors.js';
import type { Handler } from '../core/server.js';
import { type Alarm, COMPARISONS, type CompositeAlarm, type MetricAlarm, type Tag } from './alarms.js';
import type { CloudWatchSim } from './index.js';
import { type Dimension, isValidStatistic, type Sample, seriesKey } from './metrics.js';
import { checkPeriod, checkResolution, checkStatisticsDatapoints, queryWindow } from './query-rules.js';
import { parseRule, ruleAlarms } from './rule.js';

type Params = Record<string, unknown>;

const invalid = (message: string) => new AwsError('InvalidParameterValue', message);
const missing = (name: string) => new AwsError('MissingParameter', `The parameter ${name} is required.`);

function s(p: Params, key: string): string | undefined {
  const v = p[key];
  return typeof v === 'string' ? v : undefined;
}
function req(p: Params, key: string): string {
  const v = s(p, key);
  if (!v) throw missing(key);
  return v;
}
function n(p: Params, key: string): number | undefined {
  const v = p[key];
  return typeof v === 'number' ? v : undefined;
}
function arr<T = Params>(p: Params, key: string): T[] {
  const v = p[key];
  return Array.isArray(v) ? (v as T[]) : [];
}
/** JSON timestamps arrive as epoch seconds. */
function time(p: Params, key: string): number | undefined {
  const v = p[key];
  if (typeof v === 'number') return v * 1000;
  if (typeof v === 'string') return Date.parse(v);
  return undefined;
}
function dims(raw: unknown): Dimension[] {
  const list = Array.isArray(raw) ? (raw as Params[]) : [];
  if (list.length > 30) throw invalid('The collection Dimensions must not have a size greater than 30.');
  return list.map((d) => ({ Name: req(d, 'Name'), Value: req(d, 'Value') }));
}
function tags(p: Params): Tag[] {
  return arr(p, 'Tags').map((t) => ({ Key: req(t, 'Key'), Value: s(t, 'Value') ?? '' }));
}

export function alarmArn(name: string): string {
  return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
}

function base(alarm: Alarm) {
  return {
    AlarmName: alarm.AlarmName,
    AlarmArn: alarm.AlarmArn,
    AlarmDescription: alarm.AlarmDescription,
    AlarmConfigurationUpdatedTimestamp: alarm.AlarmConfigurationUpdatedTimestamp,
    ActionsEnabled: alarm.ActionsEnabled,
    OKActions: alarm.OKActions,
    AlarmActions: alarm.AlarmActions,
    InsufficientDataActions: alarm.InsufficientDataActions,
    StateValue: alarm.StateValue,
    StateReason: alarm.StateReason,
    StateReasonData: alarm.StateReasonData,
    StateUpdatedTimestamp: alarm.StateUpdatedTimestamp,
    StateTransitionedTimestamp: alarm.StateTransitionedTimestamp,
  };
}

export function describeMetricAlarm(a: MetricAlarm) {
  const metric = a.Metrics
    ? { Metrics: a.Metrics }
    : {
        MetricName: a.MetricName,
        Namespace: a.Namespace,
        Statistic: a.Statistic,
        ExtendedStatistic: a.ExtendedStatistic,
        Dimensions: a.Dimensions,
        Period: a.Period,
        Unit: a.Unit,
      };
  return {
    ...base(a),
    ...metric,
    EvaluationPeriods: a.EvaluationPeriods,
    DatapointsToAlarm: a.DatapointsToAlarm,
    Threshold: a.Threshold,
    ComparisonOperator: a.ComparisonOperator,
    TreatMissingData: a.TreatMissingData,
    EvaluateLowSampleCountPercentile: a.EvaluateLowSampleCountPercentile,
  };
}

export function describeCompositeAlarm(a: CompositeAlarm) {
  return { ...base(a), AlarmRule: a.AlarmRule };
}

const TREAT_MISSING = ['breaching', 'notBreaching', 'ignore', 'missing'];
const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

export class CloudWatchApi {
  constructor(private readonly cw: CloudWatchSim) {}

  private alarm(name: string): Alarm {
    const a = this.cw.alarms.get(name);
    if (!a) throw new AwsError('ResourceNotFound', `Alarm ${name} does not exist`, 404);
    return a;
  }

  private actions(p: Params) {
    const list = (key: string) => {
      const v = arr<string>(p, key);
      if (v.length > 5) throw invalid(`The collection ${key} must not have a size greater than 5.`);
      return v;
    };
    return {
      ActionsEnabled: p.ActionsEnabled === undefined ? true : p.ActionsEnabled === true,
      OKActions: list('OKActions'),
      AlarmActions: list('AlarmActions'),
      InsufficientDataActions: list('InsufficientDataActions'),
    };
  }

  private alarmName(p: Params): string {
    const name = req(p, 'AlarmName');
    if (name.length > 255) throw invalid('The parameter AlarmName must be shorter than 256 characters.');
    return name;
  }

  /** Fields every new alarm starts with; an update keeps the existing state. */
  private fresh(name: string, existing: Alarm | undefined) {
    const now = new Date(this.cw.sim.clock.now());
    return {
      AlarmName: name,
      AlarmArn: alarmArn(name),
      StateValue: existing?.StateValue ?? ('INSUFFICIENT_DATA' as const),
      StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
      StateReasonData: existing?.StateReasonData,
      StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
      StateTransitionedTimestamp: existing?.StateTransitionedTimestamp ?? now,
      AlarmConfigurationUpdatedTimestamp: now,
    };
  }

  putMetricAlarm = (p: Params) => {
    const name = this.alarmName(p);
    const existing = this.cw.alarms.get(name);
    if (existing?.kind === 'composite') {
      throw invalid(`The alarm ${name} already exists as a composite alarm.`);
    }
    const evaluationPeriods = n(p, 'EvaluationPeriods');
    if (evaluationPeriods === undefined) throw missing('EvaluationPeriods');
    if (evaluationPeriods < 1)
      throw invalid('The parameter EvaluationPeriods must be greater than or equal to 1.');
    const datapointsToAlarm = n(p, 'DatapointsToAlarm');
    if (datapointsToAlarm !== undefined && (datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods)) {
      throw invalid('DatapointsToAlarm must be between 1 and EvaluationPeriods.');
    }
    const comparison = req(p, 'ComparisonOperator');
    if (!COMPARISONS[comparison]) {
      throw invalid(
        `The value ${comparison} for parameter ComparisonOperator is not supported by the simulator.`,
      );
    }
    const threshold = n(p, 'Threshold');
    if (threshold === undefined) throw missing('Threshold');
    const treat = s(p, 'TreatMissingData');
    if (treat !== undefined && !TREAT_MISSING.includes(treat)) {
      throw invalid(`The value ${treat} for parameter TreatMissingData is not valid.`);
    }
    let metric: Pick<
      MetricAlarm,
      | 'MetricName'
      | 'Namespace'
      | 'Statistic'
      | 'ExtendedStatistic'
      | 'Dimensions'
      | 'Period'
      | 'Unit'
      | 'Metrics'
    >;
    const metrics = arr(p, 'Metrics');
    if (metrics.length > 0) {
      if (s(p, 'MetricName') || s(p, 'Namespace')) {
        throw new AwsError(
          'InvalidParameterCombination',
          'Metrics list cannot be specified together with MetricName or Namespace.',
        );
      }
      // Only a single MetricStat is simulated: metric math would be a silent gap, so refuse it.
      const returned = metrics.filter((m) => m.ReturnData !== false);
      const stat = returned[0]?.MetricStat as Params | undefined;
      if (returned.length !== 1 || !stat || metrics.some((m) => m.Expression !== undefined)) {
        throw invalid('The simulator evaluates alarms on one MetricStat only; metric math is not simulated.');
      }
      const m = (stat.Metric ?? {}) as Params;
      const statName = req(stat, 'Stat');
      metric = {
        MetricName: req(m, 'MetricName'),
        Namespace: req(m, 'Namespace'),
        ...(statName.startsWith('p') ? { ExtendedStatistic: statName } : { Statistic: statName }),
        Dimensions: dims(m.Dimensions),
        Period: n(stat, 'Period') ?? 60,
        Unit: s(stat, 'Unit'),
        Metrics: metrics,
      };
    } else {
      const statistic = s(p, 'Statistic');
      const extended = s(p, 'ExtendedStatistic');
      if ((statistic === undefined) === (extended === undefined)) {
        throw new AwsError(
          'InvalidParameterCombination',
          'Exactly one element of the Statistic and ExtendedStatistic parameters must be specified.',
        );
      }
      const period = n(p, 'Period');
      if (period === undefined) throw missing('Period');
      metric = {
        MetricName: req(p, 'MetricName'),
        Namespace: req(p, 'Namespace'),
        Statistic: statistic,
        ExtendedStatistic: extended,
        Dimensions: dims(p.Dimensions),
        Period: period,
        Unit: s(p, 'Unit'),
      };
    }
    const stat = metric.ExtendedStatistic ?? metric.Statistic ?? '';
    if (!isValidStatistic(stat)) throw invalid(`The value ${stat} for parameter Statistic is not valid.`);
    if (![10, 20, 30].includes(metric.Period) && (metric.Period < 60 || metric.Period % 60 !== 0)) {
      throw invalid('The parameter Period must be 10, 20, 30 or a multiple of 60.');
    }
    if (metric.Period * evaluationPeriods > 7 * 86400) {
      throw invalid('The product of Period and EvaluationPeriods cannot exceed 7 days.');
    }
    const alarm: MetricAlarm = {
      kind: 'metric',
      ...this.fresh(name, existing),
      ...this.actions(p),
      AlarmDescription: s(p, 'AlarmDescription'),
      ...metric,
      EvaluationPeriods: evaluationPeriods,
      DatapointsToAlarm: datapointsToAlarm,
      Threshold: threshold,
      ComparisonOperator: comparison,
      TreatMissingData: treat,
      EvaluateLowSampleCountPercentile: s(p, 'EvaluateLowSampleCountPercentile'),
      tags: existing ? existing.tags : tags(p),
    };
    this.cw.saveAlarm(alarm, existing === undefined);
    return {};
  };

  putCompositeAlarm = (p: Params) => {
    const name = this.alarmName(p);
    const existing = this.cw.alarms.get(name);
    if (existing?.kind === 'metric') throw invalid(`The alarm ${name} already exists as a metric alarm.`);
    const ruleText = req(p, 'AlarmRule');
    if (ruleText.length > 10240) throw invalid('The AlarmRule must be at most 10240 characters.');
    const rule = parseRule(ruleText);
    const unknown = ruleAlarms(rule).filter((a) => a !== name && !this.cw.alarms.has(a));
    if (unknown.length > 0) {
      throw new AwsError(
        'ValidationError',
        `Could not save the composite alarm as alarms [${unknown.join(', ')}] in the alarm rule do not exist`,
      );
    }
    if (ruleAlarms(rule).includes(name))
      throw new AwsError('ValidationError', 'A composite alarm cannot refer to itself');
    const alarm: CompositeAlarm = {
      kind: 'composite',
      ...this.fresh(name, existing),
      ...this.actions(p),
      AlarmDescription: s(p, 'AlarmDescription'),
      AlarmRule: ruleText,
      rule,
      tags: existing ? existing.tags : tags(p),
    };
    this.cw.saveAlarm(alarm, existing === undefined);
    return {};
  };

  describeAlarms = (p: Params) => {
    const names = arr<string>(p, 'AlarmNames');
    const prefix = s(p, 'AlarmNamePrefix');
    if (names.length > 100) {
      throw new AwsError(
        'ValidationError',
        "1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100",
      );
    }
    if (names.length > 0 && prefix !== undefined) {
      throw new AwsError(
        'InvalidParameterCombination',
        'AlarmNames and AlarmNamePrefix cannot be specified together.',
      );
    }
    const types = arr<string>(p, 'AlarmTypes');
    // As on AWS: without AlarmTypes only metric alarms come back.
    const wanted = new Set(types.length > 0 ? types : ['MetricAlarm']);
    const state = s(p, 'StateValue');
    if (state !== undefined && !STATES.includes(state))
      throw invalid(`The value ${state} for parameter StateValue is not valid.`);
    const actionPrefix = s(p, 'ActionPrefix');
    const children = s(p, 'ChildrenOfAlarmName');
    const parents = s(p, 'ParentsOfAlarmName');
    let found = [...this.cw.alarms.values()].sort((a, b) => a.AlarmName.localeCompare(b.AlarmName));
    if (children !== undefined) {
      const parent = this.cw.alarms.get(children);
      const kids = parent?.kind === 'composite' ? new Set(ruleAlarms(parent.rule)) : new Set<string>();
      found = found.filter((a) => kids.has(a.AlarmName));
    }
    if (parents !== undefined) {
      found = found.filter((a) => a.kind === 'composite' && ruleAlarms(a.rule).includes(parents));
    }
    if (names.length > 0) found = found.filter((a) => names.includes(a.AlarmName));
    if (prefix !== undefined) found = found.filter((a) => a.AlarmName.startsWith(prefix));
    if (state !== undefined) found = found.filter((a) => a.StateValue === state);
    if (actionPrefix !== undefined) {
      found = found.filter((a) =>
        [...a.AlarmActions, ...a.OKActions, ...a.InsufficientDataActions].some((x) =>
          x.startsWith(actionPrefix),
        ),
      );
    }
    found = found.filter((a) => wanted.has(a.kind === 'metric' ? 'MetricAlarm' : 'CompositeAlarm'));
    const max = n(p, 'MaxRecords') ?? 50;
    if (max < 1 || max > 100) throw invalid('The parameter MaxRecords must be between 1 and 100.');
    const token = s(p, 'NextToken');
    const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0)
      throw new AwsError('InvalidNextToken', 'The NextToken is not valid.');
    const page = found.slice(start, start + max);
    const next = start + max < found.length ? Buffer.from(String(start + max)).toString('base64') : undefined;
    return {
      MetricAlarms: page.filter((a): a is MetricAlarm => a.kind === 'metric').map(describeMetricAlarm),
      CompositeAlarms: page
        .filter((a): a is CompositeAlarm => a.kind === 'composite')
        .map(describeCompositeAlarm),
      NextToken: next,
    };
  };

  describeAlarmsForMetric = (p: Params) => {
    const name = req(p, 'MetricName');
    const namespace = req(p, 'Namespace');
    const key = (d: Dimension[]) => seriesKey('', '', d);
    const wantDims = p.Dimensions === undefined ? undefined : key(dims(p.Dimensions));
    const found = [...this.cw.alarms.values()].filter(
      (a): a is MetricAlarm =>
        a.kind === 'metric' &&
        a.MetricName === name &&
        a.Namespace === namespace &&
        (wantDims === undefined || key(a.Dimensions) === wantDims) &&
        (s(p, 'Statistic') === undefined || a.Statistic === s(p, 'Statistic')) &&
        (s(p, 'ExtendedStatistic') === undefined || a.ExtendedStatistic === s(p, 'ExtendedStatistic')) &&
        (n(p, 'Period') === undefined || a.Period === n(p, 'Period')),
    );
    return { MetricAlarms: found.map(describeMetricAlarm) };
  };

  deleteAlarms = (p: Params) => {
    const names = arr<string>(p, 'AlarmNames');
    if (names.length > 100) throw invalid('The collection AlarmNames must not have a size greater than 100.');
    // All or nothing: one unknown name deletes none.
    for (const name of names) this.alarm(name);
    for (const name of names) this.cw.alarms.delete(name);
    this.cw.evaluateComposites();
    return {};
  };

  setAlarmState = (p: Params) => {
    const alarm = this.alarm(req(p, 'AlarmName'));
    const state = req(p, 'StateValue');
    if (!STATES.includes(state)) throw invalid(`The value ${state} for parameter StateValue is not valid.`);
    const reason = req(p, 'StateReason');
    const data = s(p, 'StateReasonData');
    if (data !== undefined) {
      try {
        JSON.parse(data);
      } catch {
        throw new AwsError('InvalidFormat', 'StateReasonData is not valid JSON.');
      }
    }
    this.cw.forceState(alarm, state as Alarm['StateValue'], reason, data);
    return {};
  };

  describeAlarmHistory = (p: Params) => {
    const name = s(p, 'AlarmName');
    const type = s(p, 'HistoryItemType');
    const types = arr<string>(p, 'AlarmTypes');
    const from = time(p, 'StartDate') ?? 0;
    const to = time(p, 'EndDate') ?? Number.POSITIVE_INFINITY;
    let items = this.cw.history.filter(
      (h) =>
        (name === undefined || h.AlarmName === name) &&
        (type === undefined || h.HistoryItemType === type) &&
        (types.length === 0 || types.includes(h.AlarmType)) &&
        h.Timestamp.getTime() >= from &&
        h.Timestamp.getTime() <= to,
    );
    items = s(p, 'ScanBy') === 'TimestampAscending' ? items : [...items].reverse();
    return { AlarmHistoryItems: items.slice(0, n(p, 'MaxRecords') ?? 100) };
  };

  enableAlarmActions = (p: Params) => {
    for (const name of arr<string>(p, 'AlarmNames')) {
      const a = this.cw.alarms.get(name);
      if (a) a.ActionsEnabled = true;
    }
    return {};
  };

  disableAlarmActions = (p: Params) => {
    for (const name of arr<string>(p, 'AlarmNames')) {
      const a = this.cw.alarms.get(name);
      if (a) a.ActionsEnabled = false;
    }
    return {};
  };

  putMetricData = (p: Params) => {
    const namespace = req(p, 'Namespace');
    if (namespace.startsWith('AWS/')) {
      throw invalid(`The value ${namespace} for parameter Namespace is invalid.`);
    }
    const data = arr(p, 'MetricData');
    if (data.length === 0) throw missing('MetricData');
    if (data.length > 1000)
      throw invalid('The collection MetricData must not have a size greater than 1000.');
    const now = this.cw.sim.clock.now();
    for (const d of data) {
      const metricName = req(d, 'MetricName');
      const dimensions = dims(d.Dimensions);
      const timestamp = time(d, 'Timestamp') ?? now;
      const unit = s(d, 'Unit');
      const stats = d.StatisticValues as Params | undefined;
      let sample: Sample;
      if (stats) {
        sample = {
          timestamp,
          sampleCount: n(stats, 'SampleCount') ?? 0,
          sum: n(stats, 'Sum') ?? 0,
          min: n(stats, 'Minimum') ?? 0,
          max: n(stats, 'Maximum') ?? 0,
        };
      } else {
        const values = arr<number>(d, 'Values');
        const counts = arr<number>(d, 'Counts');
        const single = n(d, 'Value');
        const expanded =
          values.length > 0
            ? values.flatMap((v, i) => Array<number>(Math.max(1, Math.round(counts[i] ?? 1))).fill(v))
            : single !== undefined
              ? [single]
              : [];
        if (expanded.length === 0) throw missing('Value');
        sample = {
          timestamp,
          sampleCount: expanded.length,
          sum: expanded.reduce((a, b) => a + b, 0),
          min: Math.min(...expanded),
          max: Math.max(...expanded),
          values: expanded,
        };
      }
      this.cw.store.putSample(namespace, metricName, dimensions, unit, sample);
      if (n(d, 'StorageResolution') === 1) {
        const series = this.cw.store.get(namespace, metricName, dimensions);
        if (series) series.highResolution = true;
      }
    }
    return {};
  };

  getMetricData = (p: Params) => {
    const startTime = time(p, 'StartTime');
    const endTime = time(p, 'EndTime');
    if (startTime === undefined) throw missing('StartTime');
    if (endTime === undefined) throw missing('EndTime');
    const queries = arr(p, 'MetricDataQueries');
    if (queries.length === 0) throw missing('MetricDataQueries');
    if (queries.length > 500)
      throw invalid('The collection MetricDataQueries must not have a size greater than 500.');
    const ascending = s(p, 'ScanBy') === 'TimestampAscending';
    const results = queries
      .filter((q) => q.ReturnData !== false)
      .map((q) => {
        const id = req(q, 'Id');
        if (q.Expression !== undefined) {
          throw invalid('The simulator does not evaluate metric math expressions in GetMetricData.');
        }
        const stat = q.MetricStat as Params | undefined;
        if (!stat) throw missing('MetricStat');
        const metric = (stat.Metric ?? {}) as Params;
        const statName = req(stat, 'Stat');
        if (!isValidStatistic(statName))
          throw invalid(`The value ${statName} for parameter Stat is not valid.`);
        const period = n(stat, 'Period');
        if (period === undefined) throw missing('Period');
        checkPeriod(period);
        const series = this.cw.store.get(
          req(metric, 'Namespace'),
          req(metric, 'MetricName'),
          dims(metric.Dimensions),
        );
        checkResolution(period, series);
        const { start, end } = queryWindow(this.cw.queryTime(startTime), this.cw.queryTime(endTime), period);
        const buckets = this.cw.store.buckets(series, statName, period * 1000, start, end, {
          asOf: this.cw.sim.clock.now(),
          alignMs: start,
        });
        if (!ascending) buckets.reverse();
        return {
          Id: id,
          Label: s(q, 'Label') ?? req(metric, 'MetricName'),
          Timestamps: buckets.map((b) => new Date(Math.round(this.cw.answerTime(b.timestamp)))),
          Values: buckets.map((b) => b.value),
          StatusCode: 'Complete',
        };
      });
    return { MetricDataResults: results, Messages: [] };
  };

  getMetricStatistics = (p: Params) => {
    const startTime = time(p, 'StartTime');
    const endTime = time(p, 'EndTime');
    if (startTime === undefined) throw missing('StartTime');
    if (endTime === undefined) throw missing('EndTime');
    const period = n(p, 'Period');
    if (period === undefined) throw missing('Period');
    checkPeriod(period);
    const { start, end } = queryWindow(this.cw.queryTime(startTime), this.cw.queryTime(endTime), period);
    checkStatisticsDatapoints(start, end, period);
    const statistics = arr<string>(p, 'Statistics');
    const extended = arr<string>(p, 'ExtendedStatistics');
    if (statistics.length === 0 && extended.length === 0) {
      throw new AwsError('MissingParameter', 'Must specify either Statistics or ExtendedStatistics.');
    }
    const metricName = req(p, 'MetricName');
    const series = this.cw.store.get(req(p, 'Namespace'), metricName, dims(p.Dimensions));
    checkResolution(period, series);
    const asOf = this.cw.sim.clock.now();
    const byTime = new Map<number, Record<string, unknown>>();
    for (const stat of [...statistics, ...extended]) {
      for (const b of this.cw.store.buckets(series, stat, period * 1000, start, end, {
        asOf,
        alignMs: start,
      })) {
        const dp = byTime.get(b.timestamp) ?? {
          Timestamp: new Date(Math.round(this.cw.answerTime(b.timestamp))),
          Unit: series?.unit ?? 'None',
        };
        if (extended.includes(stat)) {
          dp.ExtendedStatistics = { ...((dp.ExtendedStatistics as object) ?? {}), [stat]: b.value };
        } else dp[stat] = b.value;
        byTime.set(b.timestamp, dp);
      }
    }
    return { Label: metricName, Datapoints: [...byTime.values()] };
  };

  listMetrics = (p: Params) => {
    const namespace = s(p, 'Namespace');
    const metricName = s(p, 'MetricName');
    const filters = arr(p, 'Dimensions').map((d) => ({ Name: req(d, 'Name'), Value: s(d, 'Value') }));
    const found = this.cw.store
      .list()
      .filter(
        (m) =>
          (namespace === undefined || m.namespace === namespace) &&
          (metricName === undefined || m.metricName === metricName) &&
          filters.every((f) =>
            m.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)),
          ),
      );
    return {
      Metrics: found.map((m) => ({
        Namespace: m.namespace,
        MetricName: m.metricName,
        Dimensions: m.dimensions,
      })),
    };
  };

  private byArn(arn: string): Alarm {
    const alarm = [...this.cw.alarms.values()].find((a) => a.AlarmArn === arn);
    if (!alarm) throw new AwsError('ResourceNotFoundException', `The resource ${arn} does not exist.`, 404);
    return alarm;
  }

  tagResource = (p: Params) => {
    const alarm = this.byArn(req(p, 'ResourceARN'));
    const byKey = new Map(alarm.tags.map((t) => [t.Key, t]));
    for (const t of tags(p)) byKey.set(t.Key, t);
    alarm.tags = [...byKey.values()];
    return {};
  };

  untagResource = (p: Params) => {
    const alarm = this.byArn(req(p, 'ResourceARN'));
    const keys = new Set(arr<string>(p, 'TagKeys'));
    alarm.tags = alarm.tags.filter((t) => !keys.has(t.Key));
    return {};
  };

  listTagsForResource = (p: Params) => ({ Tags: this.byArn(req(p, 'ResourceARN')).tags });

  handlers(): Record<string, Handler> {
    return {
      PutMetricAlarm: this.putMetricAlarm,
      PutCompositeAlarm: this.putCompositeAlarm,
      DescribeAlarms: this.describeAlarms,
      DescribeAlarmsForMetric: this.describeAlarmsForMetric,
      DeleteAlarms: this.deleteAlarms,
      SetAlarmState: this.setAlarmState,
      DescribeAlarmHistory: this.describeAlarmHistory,
      EnableAlarmActions: this.enableAlarmActions,
      DisableAlarmActions: this.disableAlarmActions,
      PutMetricData: this.putMetricData,
      GetMetricData: this.getMetricData,
      GetMetricStatistics: this.getMetricStatistics,
      ListMetrics: this.listMetrics,
      TagResource: this.tagResource,
      UntagResource: this.untagResource,
      ListTagsForResource: this.listTagsForResource,
    };
  }
}
