/**
 * Autoscaling across a traffic switch, shared by a release and a rollback's switch so both hand
 * over the same way, as journal steps with undo: the side about to go live gets room (bounds)
 * before traffic reaches it, and once traffic left the live side, the side now live gets its
 * bounds and policies (step-scaling alarms moved with them) and the old side is held at 0..0.
 */
import * as core from '@actions/core';
import { type Bounds, copyPolicies, readBounds, resourceIdOf, writeBounds } from '../../aws/autoscaling.js';
import type { AwsClients } from '../../aws/clients.js';
import { targetGroupDimension } from '../../aws/metrics.js';
import { alarmInput, alarmsNaming, movedAlarm, type SideMove, writeAlarm } from '../../aws/scaling-alarms.js';
import type { Journal } from '../../release/journal.js';
import type { Topology } from './topology.js';

/**
 * Write the bounds `want` picks from the side's current ones (none: leave them), recorded
 * first so an undo puts the previous bounds back (or removes a target it did not have).
 */
export async function prepareBounds(
  clients: AwsClients,
  journal: Journal,
  resourceId: string,
  want: (previous: Bounds | undefined) => Bounds | undefined,
): Promise<void> {
  const previous = await readBounds(clients.autoscaling, resourceId);
  const wanted = want(previous);
  if (!wanted) return;
  await journal.perform({ kind: 'scalable-target', resourceId, previous }, () =>
    writeBounds(clients.autoscaling, resourceId, wanted),
  );
}

/**
 * After production traffic left `t.live` for `t.idle`: the idle side (now live) gets the live
 * side's bounds and policies, the live side (now idle) is held at 0..0 so no policy brings it
 * back, and the alarms of its step policies run the copies instead. Returns the policies copied.
 */
export async function handOverAutoscaling(
  clients: AwsClients,
  journal: Journal,
  t: Topology,
): Promise<number> {
  const { live: old, idle: now } = t;
  const oldResource = resourceIdOf(t.cluster, old.service);
  const newResource = resourceIdOf(t.cluster, now.service);
  const bounds = await readBounds(clients.autoscaling, oldResource);
  if (bounds) await prepareBounds(clients, journal, newResource, () => ({ ...bounds, suspended: false }));
  const stepPolicies = new Map<string, string>();
  // A policy copy is not undone: once the bounds go back, a policy cannot scale the side.
  const copied = await journal.final(`copy ${old.service}'s scaling policies to ${now.service}`, () =>
    copyPolicies(clients.autoscaling, oldResource, newResource, {
      fromTargetGroup: targetGroupDimension(old.targetGroupArn),
      toTargetGroup: targetGroupDimension(now.targetGroupArn),
      onStepPolicy: (_name, from, to) => stepPolicies.set(from, to),
    }),
  );
  // Bounds 0..0: no policy can bring the idle side back.
  await prepareBounds(clients, journal, oldResource, () => ({ min: 0, max: 0, suspended: false }));
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
  return copied;
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
