/**
 * The CloudWatch alarms that run step scaling policies. A step policy acts only when an alarm
 * naming its ARN in its actions changes state, so after a switch the alarms of the old live
 * side's step policies must name the new live side's copies instead (and watch the new side's
 * service or target group), or the new side never scales on them and the idle side still would.
 * PutMetricAlarm replaces the whole alarm, so an alarm is read whole and written back with only
 * those fields changed.
 */
import {
  type CloudWatchClient,
  type Dimension,
  type MetricAlarm,
  type MetricDataQuery,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch';

/** Every metric alarm with an action starting with one of `arns` (ActionPrefix filters on AWS's side). */
export async function alarmsNaming(
  cloudwatch: CloudWatchClient,
  arns: readonly string[],
): Promise<MetricAlarm[]> {
  const found = new Map<string, MetricAlarm>();
  for (const arn of arns) {
    for await (const page of paginateDescribeAlarms(
      { client: cloudwatch },
      { ActionPrefix: arn, AlarmTypes: ['MetricAlarm'] },
    )) {
      for (const a of page.MetricAlarms ?? []) if (a.AlarmName) found.set(a.AlarmName, a);
    }
  }
  return [...found.values()];
}

/** The PutMetricAlarm input that writes `alarm` back exactly as DescribeAlarms returned it. */
export function alarmInput(alarm: MetricAlarm): PutMetricAlarmCommandInput {
  const metric = alarm.Metrics?.length
    ? { Metrics: alarm.Metrics, ThresholdMetricId: alarm.ThresholdMetricId }
    : {
        MetricName: alarm.MetricName,
        Namespace: alarm.Namespace,
        Statistic: alarm.Statistic,
        ExtendedStatistic: alarm.ExtendedStatistic,
        Dimensions: alarm.Dimensions,
        Period: alarm.Period,
        Unit: alarm.Unit,
      };
  return {
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription,
    ActionsEnabled: alarm.ActionsEnabled,
    OKActions: alarm.OKActions,
    AlarmActions: alarm.AlarmActions,
    InsufficientDataActions: alarm.InsufficientDataActions,
    ...metric,
    EvaluationPeriods: alarm.EvaluationPeriods,
    DatapointsToAlarm: alarm.DatapointsToAlarm,
    Threshold: alarm.Threshold,
    ComparisonOperator: alarm.ComparisonOperator,
    TreatMissingData: alarm.TreatMissingData,
    EvaluateLowSampleCountPercentile: alarm.EvaluateLowSampleCountPercentile,
  };
}

export interface SideMove {
  /** Old live side's step policy ARN → the new live side's copy. */
  policies: ReadonlyMap<string, string>;
  /** Dimension values naming the old side (service name, `targetgroup/<name>/<id>`) → the new side's. */
  dimensions: ReadonlyMap<string, string>;
}

function moveDimensions(dims: Dimension[] | undefined, move: SideMove): Dimension[] | undefined {
  return dims?.map((d) => ({ ...d, Value: move.dimensions.get(d.Value ?? '') ?? d.Value }));
}

/** `input` with its actions naming the new side's policies and its dimensions the new side. */
export function movedAlarm(input: PutMetricAlarmCommandInput, move: SideMove): PutMetricAlarmCommandInput {
  const actions = (list?: string[]) => list?.map((a) => move.policies.get(a) ?? a);
  return {
    ...input,
    OKActions: actions(input.OKActions),
    AlarmActions: actions(input.AlarmActions),
    InsufficientDataActions: actions(input.InsufficientDataActions),
    Dimensions: moveDimensions(input.Dimensions, move),
    Metrics: input.Metrics?.map(
      (q): MetricDataQuery =>
        q.MetricStat?.Metric
          ? {
              ...q,
              MetricStat: {
                ...q.MetricStat,
                Metric: {
                  ...q.MetricStat.Metric,
                  Dimensions: moveDimensions(q.MetricStat.Metric.Dimensions, move),
                },
              },
            }
          : q,
    ),
  };
}

export async function writeAlarm(
  cloudwatch: CloudWatchClient,
  input: PutMetricAlarmCommandInput,
): Promise<void> {
  await cloudwatch.send(new PutMetricAlarmCommand(input));
}
