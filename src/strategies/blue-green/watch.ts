/**
 * What a blue-green release watches: the alarms before it starts (refusing while one fires),
 * and, while the new side serves traffic, the alarms and the new side's targets at every poll.
 */
import * as core from '@actions/core';
import { type AlarmWatch, describeFiring, missingAlarms, readAlarms } from '../../aws/alarms.js';
import type { AwsClients } from '../../aws/clients.js';
import { describeHealth, readTargetHealth, type TargetGroupHealth } from '../../aws/target-health.js';
import { sleep } from '../../release/cancel.js';
import type { BlueGreenSettings } from '../../settings/blue-green.js';
import { AlarmFiredError, RefusedError } from './errors.js';
import type { Side } from './topology.js';

/** Refuses when a watched alarm fires (unless told to proceed); returns the alarms to ignore then. */
export async function checkAlarmsBeforeStart(clients: AwsClients, bg: BlueGreenSettings): Promise<string[]> {
  if (bg.alarms.length === 0) return [];
  const reading = await readAlarms(clients.cloudwatch, bg.alarms);
  const missing = missingAlarms(bg.alarms, reading);
  if (missing.length) {
    throw new RefusedError(
      `Alarm${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in CloudWatch (input "alarms"); nothing was changed. Expected: names of existing alarms, or a prefix ending in *.`,
    );
  }
  if (reading.firing.length === 0) {
    core.info(
      `Watching ${reading.found.length} alarm${reading.found.length === 1 ? '' : 's'}: none in ALARM.`,
    );
    return [];
  }
  const text = `Alarm${reading.firing.length > 1 ? 's' : ''} already in ALARM: ${describeFiring(reading.firing)}`;
  if (bg.proceedOnAlarm) {
    core.warning(`${text}. Proceeding (input "proceed-on-alarm"); only other alarms will stop the release.`);
    return reading.firing.map((a) => a.name);
  }
  throw new RefusedError(
    `${text}. The release was refused and nothing was changed (set "proceed-on-alarm" to release anyway).`,
  );
}

export async function assertNoAlarm(alarms: AlarmWatch, when: string): Promise<void> {
  const firing = await alarms.firing();
  if (firing.length)
    throw new AlarmFiredError(`Alarm in ALARM ${when}: ${describeFiring(firing)}.`, Date.now());
}

/**
 * Watch the new side while it serves traffic: every `pollMs` for `durationMs`, the alarms and
 * its targets. A target that turned `unhealthy` fails the release (a new task starting up is
 * `initial`, which is fine: autoscaling may add tasks during a bake).
 */
export async function watchRelease(
  clients: AwsClients,
  alarms: AlarmWatch,
  side: Side,
  durationMs: number,
  pollMs: number,
  when: string,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + durationMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return;
    await sleep(Math.min(pollMs, remaining), signal);
    const [health] = await Promise.all([
      readTargetHealth(clients.elb, side.targetGroupArn),
      assertNoAlarm(alarms, `during the ${when}`),
    ]);
    if (sick(health)) {
      throw new Error(
        `Targets of ${side.service} (${side.color}) turned unhealthy during the ${when}: ${describeHealth(health)}.`,
      );
    }
  }
}

function sick(h: TargetGroupHealth): boolean {
  return h.healthy === 0 || h.notHealthy.some((t) => t.TargetHealth?.State === 'unhealthy');
}
