/**
 * After a successful bake: the old side keeps running for the scale-down delay (and until its
 * deregistration delay has passed since its weight went to 0), then goes to 0 tasks with its
 * autoscaling held at 0..0, and the new side gets the old side's bounds and policies.
 */
import * as core from '@actions/core';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../../aws/clients.js';
import { describeWeights, readRoute, weightsOf } from '../../aws/traffic.js';
import { sleep } from '../../release/cancel.js';
import type { Journal } from '../../release/journal.js';
import type { BlueGreenSettings } from '../../settings/blue-green.js';
import { formatDuration } from '../../settings/values.js';
import { handOverAutoscaling } from './autoscaling-hand-over.js';
import type { Topology } from './topology.js';

/** Runs after the release is committed: its journal steps are dropped by the commit that follows. */
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
  const old = t.live;
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
  if (hasAutoscaling) await handOverAutoscaling(clients, journal, t);
  await journal.final(`scale ${old.service} to 0`, () =>
    clients.ecs.send(new UpdateServiceCommand({ cluster: t.cluster, service: old.service, desiredCount: 0 })),
  );
  event(`${old.service} (${old.color}) scaled to 0.`);
}
