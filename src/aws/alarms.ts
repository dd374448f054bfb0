/**
 * The alarm watch: which of the watched CloudWatch alarms are in `ALARM` now. Names ending in
 * `*` are prefixes (`DescribeAlarms` takes one prefix per call); metric and composite alarms
 * both count.
 */
import {
  type CloudWatchClient,
  type CompositeAlarm,
  type MetricAlarm,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch';

export interface FiringAlarm {
  name: string;
  reason: string;
  since?: Date;
}

export interface AlarmReading {
  /** Every alarm that matched the watch list, by name. */
  found: string[];
  firing: FiringAlarm[];
}

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

export async function readAlarms(cloudwatch: CloudWatchClient, watch: string[]): Promise<AlarmReading> {
  const names = watch.filter((w) => !w.endsWith('*'));
  const prefixes = watch.filter((w) => w.endsWith('*')).map((w) => w.slice(0, -1));
  const alarms: (MetricAlarm | CompositeAlarm)[] = [];
  const describe = async (input: { AlarmNames?: string[]; AlarmNamePrefix?: string }) => {
    const pages = paginateDescribeAlarms(
      { client: cloudwatch },
      { ...input, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
    );
    try {
      for await (const page of pages)
        alarms.push(...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? []));
    } catch (err) {
      const e = err as Error;
      throw new Error(`Reading CloudWatch alarms (input "alarms"): ${e.name}: ${e.message}`);
    }
  };
  for (let i = 0; i < names.length; i += NAMES_PER_CALL)
    await describe({ AlarmNames: names.slice(i, i + NAMES_PER_CALL) });
  for (const prefix of prefixes) await describe({ AlarmNamePrefix: prefix });
  const byName = new Map(alarms.map((a) => [a.AlarmName ?? '', a]));
  return {
    found: [...byName.keys()],
    firing: [...byName.values()]
      .filter((a) => a.StateValue === 'ALARM')
      .map((a) => ({ name: a.AlarmName ?? '', reason: a.StateReason ?? '', since: a.StateUpdatedTimestamp })),
  };
}

/** Names the user listed that CloudWatch does not know: a typo would silently watch nothing. */
export function missingAlarms(watch: string[], reading: AlarmReading): string[] {
  return watch.filter((w) => !w.endsWith('*') && !reading.found.includes(w));
}

export function describeFiring(firing: FiringAlarm[]): string {
  return firing.map((a) => `${a.name} (${a.reason})`).join('; ');
}

/**
 * The watch a release keeps over its alarms. Alarms that already fired when the release was
 * told to proceed anyway (`proceed-on-alarm`) are ignored: only a new alarm stops it.
 */
export class AlarmWatch {
  private readonly ignored = new Set<string>();

  constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly watch: string[],
  ) {}

  ignore(names: string[]): void {
    for (const n of names) this.ignored.add(n);
  }

  async firing(): Promise<FiringAlarm[]> {
    if (this.watch.length === 0) return [];
    const reading = await readAlarms(this.cloudwatch, this.watch);
    return reading.firing.filter((a) => !this.ignored.has(a.name));
  }
}
