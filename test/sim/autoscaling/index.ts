/**
 * Application Auto Scaling for ECS services: scalable targets and policies as stored records,
 * plus the one behaviour deploys depend on: while a target is registered and dynamic scaling is
 * not suspended, the service's desired count is held within [min, max] (so a side scaled to 0
 * with min 2 comes back, as it does on AWS).
 */
import { ACCOUNT, REGION } from '../contracts.js';
import { AwsError } from '../core/errors.js';
import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';

interface SuspendedState {
  DynamicScalingInSuspended?: boolean;
  DynamicScalingOutSuspended?: boolean;
  ScheduledScalingSuspended?: boolean;
}

interface ScalableTarget {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  MinCapacity: number;
  MaxCapacity: number;
  RoleARN: string;
  CreationTime: Date;
  SuspendedState: SuspendedState;
  ScalableTargetARN: string;
}

interface ScalingPolicy {
  PolicyARN: string;
  PolicyName: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  PolicyType: string;
  StepScalingPolicyConfiguration?: unknown;
  TargetTrackingScalingPolicyConfiguration?: unknown;
  Alarms: unknown[];
  CreationTime: Date;
}

interface TargetKey {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
}

const key = (k: TargetKey) => `${k.ServiceNamespace}|${k.ResourceId}|${k.ScalableDimension}`;

const validation = (message: string) => new AwsError('ValidationException', message);

export class AutoScalingSim {
  readonly targets = new Map<string, ScalableTarget>();
  readonly policies = new Map<string, ScalingPolicy>();
  readonly service: ServiceDefinition;

  constructor(readonly sim: Simulator) {
    this.service = {
      name: 'autoscaling',
      protocol: 'json1.1',
      targetPrefix: 'AnyScaleFrontendService',
      throttleCode: 'ThrottlingException',
      handlers: {
        RegisterScalableTarget: (p: Partial<ScalableTarget> & TargetKey) => this.register(p),
        DescribeScalableTargets: (p: {
          ServiceNamespace: string;
          ResourceIds?: string[];
          ScalableDimension?: string;
        }) => ({
          ScalableTargets: [...this.targets.values()].filter(
            (t) =>
              t.ServiceNamespace === p.ServiceNamespace &&
              (!p.ResourceIds?.length || p.ResourceIds.includes(t.ResourceId)) &&
              (!p.ScalableDimension || t.ScalableDimension === p.ScalableDimension),
          ),
        }),
        DeregisterScalableTarget: (p: TargetKey) => {
          if (!this.targets.delete(key(p))) {
            throw new AwsError(
              'ObjectNotFoundException',
              `No scalable target registered for service namespace: ${p.ServiceNamespace}, resource ID: ${p.ResourceId}, scalable dimension: ${p.ScalableDimension}`,
            );
          }
          for (const [arn, policy] of this.policies) if (key(policy) === key(p)) this.policies.delete(arn);
          return {};
        },
        PutScalingPolicy: (p: Omit<ScalingPolicy, 'PolicyARN' | 'CreationTime' | 'Alarms'>) =>
          this.putPolicy(p),
        DescribeScalingPolicies: (p: {
          ServiceNamespace: string;
          ResourceId?: string;
          ScalableDimension?: string;
          PolicyNames?: string[];
        }) => ({
          ScalingPolicies: [...this.policies.values()].filter(
            (x) =>
              x.ServiceNamespace === p.ServiceNamespace &&
              (!p.ResourceId || x.ResourceId === p.ResourceId) &&
              (!p.ScalableDimension || x.ScalableDimension === p.ScalableDimension) &&
              (!p.PolicyNames?.length || p.PolicyNames.includes(x.PolicyName)),
          ),
        }),
        DeleteScalingPolicy: (p: TargetKey & { PolicyName: string }) => {
          const found = [...this.policies.values()].find(
            (x) => key(x) === key(p) && x.PolicyName === p.PolicyName,
          );
          if (!found) {
            throw new AwsError(
              'ObjectNotFoundException',
              `No scaling policy found for service namespace: ${p.ServiceNamespace}, resource ID: ${p.ResourceId}, scalable dimension: ${p.ScalableDimension}, policy name: ${p.PolicyName}`,
            );
          }
          this.policies.delete(found.PolicyARN);
          return {};
        },
      },
    };
  }

  /**
   * The desired count Application Auto Scaling lets an ECS service have: clamped to the
   * registered target's bounds unless dynamic scaling in that direction is suspended.
   */
  clampDesiredCount(cluster: string, service: string, desired: number): number {
    const target = this.targets.get(
      key({
        ServiceNamespace: 'ecs',
        ResourceId: `service/${cluster}/${service}`,
        ScalableDimension: 'ecs:service:DesiredCount',
      }),
    );
    if (!target) return desired;
    if (desired < target.MinCapacity && !target.SuspendedState.DynamicScalingOutSuspended)
      return target.MinCapacity;
    if (desired > target.MaxCapacity && !target.SuspendedState.DynamicScalingInSuspended)
      return target.MaxCapacity;
    return desired;
  }

  async stop(): Promise<void> {}

  private register(p: Partial<ScalableTarget> & TargetKey) {
    if (p.ServiceNamespace !== 'ecs' || p.ScalableDimension !== 'ecs:service:DesiredCount') {
      throw validation(
        `Unsupported service namespace/dimension in the simulator: ${p.ServiceNamespace} ${p.ScalableDimension}`,
      );
    }
    if (!/^service\/[^/]+\/[^/]+$/.test(p.ResourceId ?? '')) {
      throw validation(`Unsupported resource ID: ${p.ResourceId}. Expected service/<cluster>/<service>.`);
    }
    const existing = this.targets.get(key(p));
    if (!existing && (p.MinCapacity === undefined || p.MaxCapacity === undefined)) {
      throw validation('MinCapacity and MaxCapacity are required when registering a new scalable target.');
    }
    const min = p.MinCapacity ?? existing!.MinCapacity;
    const max = p.MaxCapacity ?? existing!.MaxCapacity;
    if (min > max) throw validation(`Minimum capacity cannot be greater than maximum capacity`);
    const arn =
      existing?.ScalableTargetARN ??
      `arn:aws:application-autoscaling:${REGION}:${ACCOUNT}:scalable-target/${Buffer.from(key(p)).toString('hex').slice(0, 32)}`;
    const target: ScalableTarget = {
      ServiceNamespace: p.ServiceNamespace,
      ResourceId: p.ResourceId,
      ScalableDimension: p.ScalableDimension,
      MinCapacity: min,
      MaxCapacity: max,
      RoleARN:
        p.RoleARN ??
        existing?.RoleARN ??
        `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
      CreationTime: existing?.CreationTime ?? new Date(this.sim.clock.now()),
      SuspendedState: { ...existing?.SuspendedState, ...p.SuspendedState },
      ScalableTargetARN: arn,
    };
    this.targets.set(key(p), target);
    return { ScalableTargetARN: arn };
  }

  private putPolicy(p: Omit<ScalingPolicy, 'PolicyARN' | 'CreationTime' | 'Alarms'>) {
    const target = this.targets.get(key(p));
    if (!target) {
      throw new AwsError(
        'ObjectNotFoundException',
        `No scalable target registered for service namespace: ${p.ServiceNamespace}, resource ID: ${p.ResourceId}, scalable dimension: ${p.ScalableDimension}`,
      );
    }
    const existing = [...this.policies.values()].find(
      (x) => key(x) === key(p) && x.PolicyName === p.PolicyName,
    );
    const arn =
      existing?.PolicyARN ??
      `arn:aws:autoscaling:${REGION}:${ACCOUNT}:scalingPolicy:${Buffer.from(key(p)).toString('hex').slice(0, 36)}:resource/ecs/${p.ResourceId}:policyName/${p.PolicyName}`;
    const policy: ScalingPolicy = {
      PolicyARN: arn,
      PolicyName: p.PolicyName,
      ServiceNamespace: p.ServiceNamespace,
      ResourceId: p.ResourceId,
      ScalableDimension: p.ScalableDimension,
      PolicyType: p.PolicyType ?? 'TargetTrackingScaling',
      StepScalingPolicyConfiguration: p.StepScalingPolicyConfiguration,
      TargetTrackingScalingPolicyConfiguration: p.TargetTrackingScalingPolicyConfiguration,
      Alarms: [],
      CreationTime: existing?.CreationTime ?? new Date(this.sim.clock.now()),
    };
    this.policies.set(arn, policy);
    return { PolicyARN: arn, Alarms: [] };
  }
}
