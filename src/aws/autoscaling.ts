/**
 * Application Auto Scaling of the two sides. The idle side must not be scaled back up by its
 * policies (bounds 0..0), and the side that becomes live needs the bounds and policies the
 * live side had, or the first traffic peak after a release finds it unable to grow.
 */
import {
  type ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';

export const ECS_DESIRED_COUNT = 'ecs:service:DesiredCount';

export interface Bounds {
  min: number;
  max: number;
  suspended: boolean;
}

export function resourceIdOf(cluster: string, service: string): string {
  const clusterName = cluster.slice(cluster.lastIndexOf('/') + 1);
  return `service/${clusterName}/${service}`;
}

const KEY = {
  ServiceNamespace: 'ecs' as const,
  ScalableDimension: ECS_DESIRED_COUNT as 'ecs:service:DesiredCount',
};

export async function readBounds(
  autoscaling: ApplicationAutoScalingClient,
  resourceId: string,
): Promise<Bounds | undefined> {
  const out = await autoscaling.send(
    new DescribeScalableTargetsCommand({ ...KEY, ResourceIds: [resourceId] }),
  );
  const t = out.ScalableTargets?.[0];
  if (!t) return undefined;
  const s = t.SuspendedState;
  return {
    min: t.MinCapacity ?? 0,
    max: t.MaxCapacity ?? 0,
    suspended: !!(s?.DynamicScalingInSuspended && s.DynamicScalingOutSuspended),
  };
}

export async function writeBounds(
  autoscaling: ApplicationAutoScalingClient,
  resourceId: string,
  bounds: Bounds,
): Promise<void> {
  const s = bounds.suspended;
  await autoscaling.send(
    new RegisterScalableTargetCommand({
      ...KEY,
      ResourceId: resourceId,
      MinCapacity: bounds.min,
      MaxCapacity: bounds.max,
      SuspendedState: {
        DynamicScalingInSuspended: s,
        DynamicScalingOutSuspended: s,
        ScheduledScalingSuspended: s,
      },
    }),
  );
}

/** Remove the scalable target (gone already counts as done: an undo may run twice). */
export async function removeScalableTarget(
  autoscaling: ApplicationAutoScalingClient,
  resourceId: string,
): Promise<void> {
  await autoscaling
    .send(new DeregisterScalableTargetCommand({ ...KEY, ResourceId: resourceId }))
    .catch((err: unknown) => {
      if (!(err instanceof ObjectNotFoundException)) throw err;
    });
}

/** Put every scaling policy of `from` on `to` under the same name (an existing one is replaced). */
export async function copyPolicies(
  autoscaling: ApplicationAutoScalingClient,
  from: string,
  to: string,
): Promise<number> {
  const out = await autoscaling.send(
    new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: from }),
  );
  const policies = out.ScalingPolicies ?? [];
  for (const p of policies) {
    await autoscaling.send(
      new PutScalingPolicyCommand({
        ...KEY,
        ResourceId: to,
        PolicyName: p.PolicyName,
        PolicyType: p.PolicyType,
        TargetTrackingScalingPolicyConfiguration: p.TargetTrackingScalingPolicyConfiguration,
        StepScalingPolicyConfiguration: p.StepScalingPolicyConfiguration,
      }),
    );
  }
  return policies.length;
}
