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
import { decide, metricOf, type TargetTrackingConfig } from './target-tracking.js';

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
  StepScalingPolicyConfiguration?: StepConfig;
  TargetTrackingScalingPolicyConfiguration?: TargetTrackingConfig;
  PredictiveScalingPolicyConfiguration?: PredictiveConfig;
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

interface StepConfig {
  AdjustmentType?: 'ChangeInCapacity' | 'PercentChangeInCapacity' | 'ExactCapacity';
  StepAdjustments?: {
    MetricIntervalLowerBound?: number;
    MetricIntervalUpperBound?: number;
    ScalingAdjustment: number;
  }[];
  Cooldown?: number;
  MinAdjustmentMagnitude?: number;
}

/** Predictive scaling has its own shape: metric specifications (load, scaling or a pair) and a mode. */
interface PredictiveConfig {
  MetricSpecifications: {
    TargetValue: number;
    PredefinedMetricPairSpecification?: { PredefinedMetricType: string; ResourceLabel?: string };
    PredefinedScalingMetricSpecification?: { PredefinedMetricType: string; ResourceLabel?: string };
    PredefinedLoadMetricSpecification?: { PredefinedMetricType: string; ResourceLabel?: string };
    CustomizedScalingMetricSpecification?: unknown;
    CustomizedLoadMetricSpecification?: unknown;
    CustomizedCapacityMetricSpecification?: unknown;
  }[];
  Mode?: 'ForecastOnly' | 'ForecastAndScale';
  SchedulingBufferTime?: number;
  MaxCapacityBreachBehavior?: 'HonorMaxCapacity' | 'IncreaseMaxCapacity';
  MaxCapacityBuffer?: number;
}

const POLICY_TYPES = ['TargetTrackingScaling', 'StepScaling', 'PredictiveScaling'] as const;
const CONFIG_OF: Record<(typeof POLICY_TYPES)[number], keyof ScalingPolicy> = {
  TargetTrackingScaling: 'TargetTrackingScalingPolicyConfiguration',
  StepScaling: 'StepScalingPolicyConfiguration',
  PredictiveScaling: 'PredictiveScalingPolicyConfiguration',
};
const RESOURCE_LABEL = /^app\/[^/]+\/[^/]+\/targetgroup\/[^/]+\/[^/]+$/;

export class AutoScalingSim {
  readonly targets = new Map<string, ScalableTarget>();
  readonly policies = new Map<string, ScalingPolicy>();
  readonly service: ServiceDefinition;

  constructor(readonly sim: Simulator) {
    this.scheduleEvaluation();
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
          MaxResults?: number;
          NextToken?: string;
        }) => {
          // At most 10 per page (the API's limit and default): callers must follow NextToken.
          if (p.MaxResults !== undefined && (p.MaxResults < 1 || p.MaxResults > 10)) {
            throw validation('MaxResults must be between 1 and 10.');
          }
          const all = [...this.policies.values()].filter(
            (x) =>
              x.ServiceNamespace === p.ServiceNamespace &&
              (!p.ResourceId || x.ResourceId === p.ResourceId) &&
              (!p.ScalableDimension || x.ScalableDimension === p.ScalableDimension) &&
              (!p.PolicyNames?.length || p.PolicyNames.includes(x.PolicyName)),
          );
          const start = p.NextToken ? Number(Buffer.from(p.NextToken, 'base64').toString('utf8')) || 0 : 0;
          const size = p.MaxResults ?? 10;
          const next =
            start + size < all.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
          return { ScalingPolicies: all.slice(start, start + size), NextToken: next };
        },
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

  /** Simulated ms between target-tracking evaluations (each looks at whole published minutes). */
  evaluationIntervalMs = 60_000;
  /** Scaling activities, oldest first: what a policy changed and why. */
  readonly activities: {
    at: number;
    resourceId: string;
    policy: string;
    from: number;
    to: number;
    cause: string;
  }[] = [];
  private lastScaled = new Map<string, { out?: number; in?: number }>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  private scheduleEvaluation(): void {
    const wall = Math.max(20, this.sim.clock.toWall(this.evaluationIntervalMs));
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      try {
        this.evaluatePolicies();
      } finally {
        this.scheduleEvaluation();
      }
    }, wall);
    this.timer.unref();
  }

  /** Runs every target-tracking policy of every registered ECS target once, at `now` (simulated ms). */
  evaluatePolicies(now = this.sim.clock.now()): void {
    const lagMs = this.sim.cloudwatch.publicationDelayMs.max;
    for (const policy of this.policies.values()) {
      const cfg = policy.TargetTrackingScalingPolicyConfiguration;
      if (policy.PolicyType !== 'TargetTrackingScaling' || !cfg) continue;
      const target = this.targets.get(key(policy));
      const [, cluster, name] = /^service\/([^/]+)\/([^/]+)$/.exec(policy.ResourceId) ?? [];
      if (!target || !cluster || !name) continue;
      const service = this.sim.ecs.getService(cluster, name);
      if (service?.status !== 'ACTIVE') continue;
      const metric = metricOf(cfg, cluster, name);
      if (!metric) continue;
      const last = this.lastScaled.get(policy.PolicyARN) ?? {};
      const d = decide(cfg, metric, this.sim.cloudwatch.store, {
        current: service.desiredCount,
        now,
        lagMs,
        lastOutAt: last.out,
        lastInAt: last.in,
      });
      if (!d) continue;
      const s = target.SuspendedState;
      if (d.direction === 'out' && s.DynamicScalingOutSuspended) continue;
      if (d.direction === 'in' && s.DynamicScalingInSuspended) continue;
      const desired = Math.min(target.MaxCapacity, Math.max(target.MinCapacity, d.desired));
      if (desired === service.desiredCount) continue;
      this.activities.push({
        at: now,
        resourceId: policy.ResourceId,
        policy: policy.PolicyName,
        from: service.desiredCount,
        to: desired,
        cause: `monitor alarm TargetTracking-${policy.ResourceId}-Alarm${d.direction === 'out' ? 'High' : 'Low'} in state ALARM triggered policy ${policy.PolicyName}`,
      });
      this.lastScaled.set(policy.PolicyARN, { ...last, [d.direction]: now });
      this.sim.ecs.setDesiredCount(cluster, name, desired);
    }
  }

  /**
   * A step-scaling policy invoked by an alarm: the step whose interval holds (metric − threshold)
   * sets the adjustment; the policy's cooldown (300 s default) holds further runs back.
   */
  runStepPolicy(policyArn: string, metric: number, threshold: number, alarmName: string): void {
    const policy = this.policies.get(policyArn);
    const cfg = policy?.StepScalingPolicyConfiguration;
    if (policy?.PolicyType !== 'StepScaling' || !cfg) return;
    const target = this.targets.get(key(policy));
    const [, cluster, name] = /^service\/([^/]+)\/([^/]+)$/.exec(policy.ResourceId) ?? [];
    const service = cluster && name ? this.sim.ecs.getService(cluster, name) : undefined;
    if (!target || service?.status !== 'ACTIVE') return;
    const now = this.sim.clock.now();
    const last = this.lastScaled.get(policy.PolicyARN)?.out;
    if (last !== undefined && now - last < (cfg.Cooldown ?? 300) * 1000) return;
    const diff = metric - threshold;
    const step = (cfg.StepAdjustments ?? []).find(
      (s) =>
        (s.MetricIntervalLowerBound === undefined || diff >= s.MetricIntervalLowerBound) &&
        (s.MetricIntervalUpperBound === undefined || diff < s.MetricIntervalUpperBound),
    );
    if (!step) return;
    const current = service.desiredCount;
    let desired = current + step.ScalingAdjustment;
    if (cfg.AdjustmentType === 'ExactCapacity') desired = step.ScalingAdjustment;
    if (cfg.AdjustmentType === 'PercentChangeInCapacity') {
      let change = Math.trunc((current * step.ScalingAdjustment) / 100);
      if (cfg.MinAdjustmentMagnitude && Math.abs(change) < cfg.MinAdjustmentMagnitude)
        change = Math.sign(step.ScalingAdjustment) * cfg.MinAdjustmentMagnitude;
      desired = current + change;
    }
    const s = target.SuspendedState;
    if (
      (desired > current && s.DynamicScalingOutSuspended) ||
      (desired < current && s.DynamicScalingInSuspended)
    )
      return;
    desired = Math.min(target.MaxCapacity, Math.max(target.MinCapacity, desired));
    if (desired === current) return;
    this.activities.push({
      at: now,
      resourceId: policy.ResourceId,
      policy: policy.PolicyName,
      from: current,
      to: desired,
      cause: `monitor alarm ${alarmName} in state ALARM triggered policy ${policy.PolicyName}`,
    });
    this.lastScaled.set(policy.PolicyARN, { out: now });
    this.sim.ecs.setDesiredCount(cluster!, name!, desired);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

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
    const type = (p.PolicyType ?? 'StepScaling') as (typeof POLICY_TYPES)[number];
    if (!POLICY_TYPES.includes(type)) {
      throw validation(`Unsupported policy type ${type}. Expected one of ${POLICY_TYPES.join(', ')}.`);
    }
    for (const t of POLICY_TYPES) {
      const given = p[CONFIG_OF[t] as keyof typeof p] !== undefined;
      if (t === type && !given) throw validation(`${CONFIG_OF[t]} is required for policy type ${type}.`);
      if (t !== type && given) throw validation(`${CONFIG_OF[t]} cannot be used with policy type ${type}.`);
    }
    const labels = [
      p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification,
      ...(p.PredictiveScalingPolicyConfiguration?.MetricSpecifications ?? []).flatMap((m) => [
        m.PredefinedMetricPairSpecification,
        m.PredefinedScalingMetricSpecification,
        m.PredefinedLoadMetricSpecification,
      ]),
    ].filter((m) => m && /ALBRequestCount/.test(m.PredefinedMetricType));
    for (const m of labels) {
      if (!RESOURCE_LABEL.test(m!.ResourceLabel ?? '')) {
        throw validation(
          `ResourceLabel is required for ${m!.PredefinedMetricType}: app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id>.`,
        );
      }
    }
    const policy: ScalingPolicy = {
      PolicyARN: arn,
      PolicyName: p.PolicyName,
      ServiceNamespace: p.ServiceNamespace,
      ResourceId: p.ResourceId,
      ScalableDimension: p.ScalableDimension,
      PolicyType: type,
      StepScalingPolicyConfiguration: p.StepScalingPolicyConfiguration,
      TargetTrackingScalingPolicyConfiguration: p.TargetTrackingScalingPolicyConfiguration,
      PredictiveScalingPolicyConfiguration: p.PredictiveScalingPolicyConfiguration,
      Alarms: [],
      CreationTime: existing?.CreationTime ?? new Date(this.sim.clock.now()),
    };
    this.policies.set(arn, policy);
    return { PolicyARN: arn, Alarms: [] };
  }
}
