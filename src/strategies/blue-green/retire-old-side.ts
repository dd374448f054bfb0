/**
 * After a successful bake: the old side keeps running for the scale-down delay (and until its
 * deregistration delay has passed since its weight went to 0), then goes to 0 tasks with its
 * autoscaling held at 0..0, and the new side gets the old side's bounds and policies.
 */
import * as core from '@actions/core';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { copyPolicies, readBounds, resourceIdOf, writeBounds } from '../../aws/autoscaling.js';
import type { AwsClients } from '../../aws/clients.js';
import { targetGroupDimension } from '../../aws/metrics.js';
import { alarmInput, alarmsNaming, movedAlarm, type SideMove, writeAlarm } from '../../aws/scaling-alarms.js';
import { describeWeights, readRoute, weightsOf } from '../../aws/traffic.js';
import { sleep } from '../../release/cancel.js';
import type { Journal } from '../../release/journal.js';
import type { BlueGreenSettings } from '../../settings/blue-green.js';
import { formatDuration } from '../../settings/values.js';
import type { Topology } from './topology.js';

/** Runs after the release is committed: its changes are journal steps with nothing to undo. */
export async function retireOldSide(
  clients: AwsClients,
  journal: Journal,
  t: Topology,
  bg: BlueGreenSettings,
  hasAutoscaling: boolean,
  lastShiftAt: number,
  signal: AbortSignal,
  event: (text: string) => void,
): Promise<void> {
  const { live: old, idle: now } = t;
  const attrs = await clients.elb.send(
    new DescribeTargetGroupAttributesCommand({ TargetGroupArn: old.targetGroupArn }),
  );
  const delaySeconds = Number(
    attrs.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value ?? 300,
  );
  // In-flight requests on the old side finish within the deregistration delay after its weight went to 0.
  const wait = Math.max(bg.scaleDownDelayMs, delaySeconds * 1000 - (Date.now() - lastShiftAt));
  if (wait > 0) {
    core.info(
      `Keeping ${old.service} for ${formatDuration(wait)} (scale-down delay and deregistration delay).`,
    );
    await sleep(wait, signal);
  }
  const weights = weightsOf(await readRoute(clients.elb, bg.listener));
  if ((weights[old.targetGroupArn] ?? 0) > 0) {
    throw new Error(
      `${old.service} has production weight again (${describeWeights(weights)}); someone switched back, so it stays up`,
    );
  }
  if (hasAutoscaling) {
    const oldResource = resourceIdOf(t.cluster, old.service);
    const newResource = resourceIdOf(t.cluster, now.service);
    const stepPolicies = new Map<string, string>();
    const copied = await journal.final(`hand ${old.service}'s autoscaling to ${now.service}`, async () => {
      const bounds = await readBounds(clients.autoscaling, oldResource);
      if (bounds) await writeBounds(clients.autoscaling, newResource, { ...bounds, suspended: false });
      const n = await copyPolicies(clients.autoscaling, oldResource, newResource, {
        fromTargetGroup: targetGroupDimension(old.targetGroupArn),
        toTargetGroup: targetGroupDimension(now.targetGroupArn),
        onStepPolicy: (_name, from, to) => stepPolicies.set(from, to),
      });
      // Bounds 0..0: no policy can bring the idle side back.
      await writeBounds(clients.autoscaling, oldResource, { min: 0, max: 0, suspended: false });
      return n;
    });
    const moved = await moveStepAlarms(clients, journal, {
      policies: stepPolicies,
      // AWS/ECS alarms name the service (ServiceName), AWS/ApplicationELB ones its target group.
      dimensions: new Map(
        (
          [
            [old.service, now.service],
            [targetGroupDimension(old.targetGroupArn) ?? '', targetGroupDimension(now.targetGroupArn) ?? ''],
          ] as const
        ).filter(([from, to]) => from && to),
      ),
    });
    if (moved.length) core.info(`Step scaling alarms now act on ${now.service}: ${moved.join(', ')}.`);
    core.info(
      `Autoscaling: ${now.service} has ${old.service}'s bounds and ${copied} polic${copied === 1 ? 'y' : 'ies'}; ${old.service} is held at 0..0.`,
    );
  }
  await journal.final(`scale ${old.service} to 0`, () =>
    clients.ecs.send(new UpdateServiceCommand({ cluster: t.cluster, service: old.service, desiredCount: 0 })),
  );
  event(`${old.service} (${old.color}) scaled to 0.`);
}

/**
 * The alarms that ran the old side's step policies run the new side's copies instead, on the
 * new side's dimensions; none names the old (idle) side's policies any more, so nothing scales
 * the idle side. Each alarm is one journal step holding the whole alarm as it was.
 */
async function moveStepAlarms(clients: AwsClients, journal: Journal, move: SideMove): Promise<string[]> {
  if (!move.policies.size) return [];
  const alarms = await alarmsNaming(clients.cloudwatch, [...move.policies.keys()]);
  for (const alarm of alarms) {
    const previous = alarmInput(alarm);
    await journal.perform({ kind: 'alarm', previous }, () =>
      writeAlarm(clients.cloudwatch, movedAlarm(previous, move)),
    );
  }
  return alarms.map((a) => a.AlarmName ?? '');
}
