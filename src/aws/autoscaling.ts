/**
 * Application Auto Scaling of the two sides. The idle side must not be scaled back up by its
 * policies (bounds 0..0), and the side that becomes live needs the bounds and policies the
 * live side had, or the first traffic peak after a release finds it unable to grow.
 */
import {
  type ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  paginateDescribeScalingPolicies,
  RegisterScalableTargetCommand,
  type ScalingPolicy,
} from '@aws-sdk/client-application-auto-scaling';
import { resourceId } from './arn.js';

export const ECS_DESIRED_COUNT = 'ecs:service:DesiredCount';

export interface Bounds {
  min: number;
  max: number;
  suspended: boolean;
}

export function resourceIdOf(cluster: string, service: string): string {
  return `service/${resourceId(cluster)}/${service}`;
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

/**
 * `ALBRequestCountPerTarget` scales on the target group its `ResourceLabel` names
 * (`app/<lb>/<id>/targetgroup/<tg>/<id>`): a copy for the other side must name that side's
 * group, or it would scale on the traffic the old side no longer gets.
 */
function relabel<T>(spec: T, from: string, to: string): T {
  const s = spec as { ResourceLabel?: string } | undefined;
  if (!s?.ResourceLabel || !from || !to) return spec;
  return { ...s, ResourceLabel: s.ResourceLabel.replace(from, to) } as T;
}

export interface PolicyCopyOptions {
  /** `targetgroup/<name>/<id>` of the side the policies came from, and of the side they go to. */
  fromTargetGroup?: string;
  toTargetGroup?: string;
  /**
   * Called for each step policy copied: only an alarm naming a step policy runs it, and the
   * alarms name the old side's policy, so the caller moves them to the copy.
   */
  onStepPolicy?: (name: string, fromArn: string, toArn: string) => void;
}

/**
 * Put every scaling policy of `from` on `to` under the same name (an existing one is
 * replaced): every page (DescribeScalingPolicies answers 10 at a time), every type (target
 * tracking, step, predictive, each with its own configuration), request-count policies
 * relabelled to the new side's target group.
 */
export async function copyPolicies(
  autoscaling: ApplicationAutoScalingClient,
  from: string,
  to: string,
  options: PolicyCopyOptions = {},
): Promise<number> {
  const policies: ScalingPolicy[] = [];
  for await (const page of paginateDescribeScalingPolicies(
    { client: autoscaling },
    { ServiceNamespace: 'ecs', ResourceId: from, ScalableDimension: KEY.ScalableDimension },
  )) {
    policies.push(...(page.ScalingPolicies ?? []));
  }
  const a = options.fromTargetGroup ?? '';
  const b = options.toTargetGroup ?? '';
  for (const p of policies) {
    const tt = p.TargetTrackingScalingPolicyConfiguration;
    const pr = p.PredictiveScalingPolicyConfiguration;
    const put = await autoscaling.send(
      new PutScalingPolicyCommand({
        ...KEY,
        ResourceId: to,
        PolicyName: p.PolicyName,
        PolicyType: p.PolicyType,
        TargetTrackingScalingPolicyConfiguration: tt && {
          ...tt,
          PredefinedMetricSpecification: relabel(tt.PredefinedMetricSpecification, a, b),
        },
        StepScalingPolicyConfiguration: p.StepScalingPolicyConfiguration,
        PredictiveScalingPolicyConfiguration: pr && {
          ...pr,
          MetricSpecifications: pr.MetricSpecifications?.map((m) => ({
            ...m,
            PredefinedMetricPairSpecification: relabel(m.PredefinedMetricPairSpecification, a, b),
            PredefinedScalingMetricSpecification: relabel(m.PredefinedScalingMetricSpecification, a, b),
            PredefinedLoadMetricSpecification: relabel(m.PredefinedLoadMetricSpecification, a, b),
          })),
        },
      }),
    );
    if (p.PolicyType === 'StepScaling' && p.PolicyARN && put.PolicyARN) {
      options.onStepPolicy?.(p.PolicyName ?? '', p.PolicyARN, put.PolicyARN);
    }
  }
  return policies.length;
}
