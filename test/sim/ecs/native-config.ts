/**
 * ECS-native blue/green, linear and canary deployments: what CreateService and UpdateService
 * accept in `deploymentConfiguration` (strategy, bake time, canary/linear settings, lifecycle
 * hooks) and in `loadBalancers[].advancedConfiguration`, and the errors they answer otherwise.
 * Every rule is listed with its source in test/sim/README.md ("Native deployments").
 */
import { AwsError } from '../core/errors.js';
import type { Simulator } from '../index.js';
import type { DeploymentConfiguration, LoadBalancer } from './model.js';

export type Strategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
export type NativeStrategy = Exclude<Strategy, 'ROLLING'>;

/** Stages a hook may name (DeploymentLifecycleHookStage). */
export const HOOK_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
] as const;
export type HookStage = (typeof HOOK_STAGES)[number];

/** "PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages." */
const LAMBDA_ONLY_STAGES: readonly HookStage[] = ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'];

export interface LifecycleHook {
  targetType: 'AWS_LAMBDA' | 'PAUSE';
  hookTargetArn?: string;
  roleArn?: string;
  lifecycleStages: HookStage[];
  hookDetails?: unknown;
  timeoutConfiguration: { timeoutInMinutes: number; action: 'CONTINUE' | 'ROLLBACK' };
}

export interface AdvancedConfiguration {
  alternateTargetGroupArn: string;
  productionListenerRule: string;
  testListenerRule?: string;
  roleArn: string;
}

const invalid = (message: string) => new AwsError('InvalidParameterException', message);

const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const LAMBDA_ARN = /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[\w$-]+)?$/;

export function strategyOf(config: DeploymentConfiguration | undefined): Strategy {
  return (config?.strategy as Strategy | undefined) ?? 'ROLLING';
}

export function isNative(config: DeploymentConfiguration | undefined): boolean {
  return strategyOf(config) !== 'ROLLING';
}

/** A whole number of minutes within [min, max], or the default when absent. */
function minutes(value: unknown, name: string, fallback: number | undefined, min = 0, max = 1440) {
  if (value === undefined) {
    if (fallback === undefined) throw invalid(`${name} is required for this deployment strategy.`);
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

/** A percentage that is a multiple of 0.1 within [min, 100]. */
function percent(value: unknown, name: string, fallback: number, min: number) {
  if (value === undefined) return fallback;
  const tenths = typeof value === 'number' ? Math.round(value * 10) : Number.NaN;
  if (
    typeof value !== 'number' ||
    Math.abs(tenths - value * 10) > 1e-6 ||
    tenths < min * 10 ||
    tenths > 1000
  ) {
    throw invalid(`${name} must be a multiple of 0.1 from ${min} to 100.0.`);
  }
  return tenths / 10;
}

/**
 * Validates and fills in the native parts of a deployment configuration; returns it with
 * ECS's defaults applied (canary 5 % for 10 minutes, linear 10 % steps every 6 minutes, hook
 * timeout 1440 minutes with ROLLBACK). Throws before anything is stored.
 */
export function normaliseNativeConfiguration(
  config: DeploymentConfiguration,
  controller: string,
): DeploymentConfiguration {
  const strategy = strategyOf(config);
  if (!['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'].includes(strategy)) {
    throw invalid(`Invalid deployment strategy '${String(strategy)}'.`);
  }
  if (config.canaryConfiguration !== undefined && strategy !== 'CANARY') {
    throw invalid('canaryConfiguration is only valid when the deployment strategy is CANARY.');
  }
  if (config.linearConfiguration !== undefined && strategy !== 'LINEAR') {
    throw invalid('linearConfiguration is only valid when the deployment strategy is LINEAR.');
  }
  const out: DeploymentConfiguration = { ...config };
  if (strategy === 'ROLLING') {
    if (config.lifecycleHooks !== undefined && (config.lifecycleHooks as unknown[]).length > 0) {
      throw invalid('Lifecycle hooks are only supported with the BLUE_GREEN, LINEAR and CANARY strategies.');
    }
    return out;
  }
  if (controller !== 'ECS') {
    throw invalid(`The ${strategy} deployment strategy requires the ECS deployment controller.`);
  }
  out.bakeTimeInMinutes = minutes(config.bakeTimeInMinutes, 'bakeTimeInMinutes', undefined);
  if (strategy === 'CANARY') {
    const c = (config.canaryConfiguration ?? {}) as Record<string, unknown>;
    out.canaryConfiguration = {
      canaryPercent: percent(c.canaryPercent, 'canaryPercent', 5, 0.1),
      canaryBakeTimeInMinutes: minutes(c.canaryBakeTimeInMinutes, 'canaryBakeTimeInMinutes', 10),
    };
  }
  if (strategy === 'LINEAR') {
    const l = (config.linearConfiguration ?? {}) as Record<string, unknown>;
    out.linearConfiguration = {
      stepPercent: percent(l.stepPercent, 'stepPercent', 10, 3),
      stepBakeTimeInMinutes: minutes(l.stepBakeTimeInMinutes, 'stepBakeTimeInMinutes', 6),
    };
  }
  out.lifecycleHooks = ((config.lifecycleHooks as Record<string, unknown>[] | undefined) ?? []).map(
    normaliseHook,
  );
  return out;
}

function normaliseHook(h: Record<string, unknown>): LifecycleHook {
  const targetType = (h.targetType as string | undefined) ?? 'AWS_LAMBDA';
  if (targetType !== 'AWS_LAMBDA' && targetType !== 'PAUSE') {
    throw invalid(`Invalid lifecycle hook targetType '${targetType}'.`);
  }
  const stages = (h.lifecycleStages as string[] | undefined) ?? [];
  if (stages.length === 0) throw invalid('lifecycleStages must be specified for a lifecycle hook.');
  for (const s of stages) {
    if (!(HOOK_STAGES as readonly string[]).includes(s)) throw invalid(`Invalid lifecycle stage '${s}'.`);
    if (targetType === 'PAUSE' && LAMBDA_ONLY_STAGES.includes(s as HookStage)) {
      throw invalid(`PAUSE hooks cannot be configured at the ${s} stage.`);
    }
  }
  if (targetType === 'AWS_LAMBDA') {
    if (typeof h.hookTargetArn !== 'string' || !LAMBDA_ARN.test(h.hookTargetArn)) {
      throw invalid('hookTargetArn must be a Lambda function ARN for an AWS_LAMBDA lifecycle hook.');
    }
    if (typeof h.roleArn !== 'string' || !ROLE_ARN.test(h.roleArn)) {
      throw invalid('roleArn must be an IAM role ARN for an AWS_LAMBDA lifecycle hook.');
    }
  } else if (h.hookTargetArn !== undefined) {
    throw invalid('hookTargetArn is not applicable to PAUSE lifecycle hooks.');
  }
  const t = (h.timeoutConfiguration ?? {}) as Record<string, unknown>;
  const action = (t.action as string | undefined) ?? 'ROLLBACK';
  if (action !== 'CONTINUE' && action !== 'ROLLBACK') {
    throw invalid(`Invalid lifecycle hook timeout action '${action}'.`);
  }
  return {
    targetType,
    hookTargetArn: h.hookTargetArn as string | undefined,
    roleArn: h.roleArn as string | undefined,
    lifecycleStages: stages as HookStage[],
    hookDetails: h.hookDetails,
    timeoutConfiguration: {
      timeoutInMinutes: minutes(t.timeoutInMinutes, 'timeoutInMinutes', 1440, 1, 1440),
      action,
    },
  };
}

/** The load balancer of the listener a rule belongs to, or undefined for an unknown rule. */
function ruleLoadBalancer(sim: Simulator, ruleArn: string): string | undefined {
  const rule = sim.elb.rules.get(ruleArn);
  return rule ? sim.elb.listeners.get(rule.listenerArn)?.loadBalancerArn : undefined;
}

function checkRule(sim: Simulator, ruleArn: unknown, name: string, groups: string[]): string {
  if (typeof ruleArn !== 'string' || !sim.elb.rules.has(ruleArn)) {
    throw invalid(`The ${name} ${String(ruleArn)} could not be found.`);
  }
  const rule = sim.elb.rules.get(ruleArn)!;
  // ECS rewrites the rule's forward weights; other action types cannot be shifted.
  if (rule.actions.some((a) => a.Type !== 'forward')) {
    throw invalid(
      `The ${name} ${ruleArn} has actions other than forward; blue/green deployments need a forward-only rule.`,
    );
  }
  const forwarded = rule.actions
    .flatMap((a) => a.ForwardConfig?.TargetGroups ?? [])
    .map((t) => t.TargetGroupArn);
  const stray = forwarded.find((tg) => !groups.includes(tg));
  if (stray) {
    throw invalid(
      `The ${name} ${ruleArn} forwards to target group ${stray}, which is neither the targetGroupArn nor the alternateTargetGroupArn.`,
    );
  }
  return ruleArn;
}

/**
 * `advancedConfiguration` of one load balancer entry: the alternate group exists, is another
 * group on the same load balancer as the production rule, the rules exist and forward only to
 * the two groups, and ECS can assume the role. Required for every load balancer of a native
 * strategy (choice: AWS's managed traffic shifting needs all four).
 */
export function checkAdvancedConfiguration(
  sim: Simulator,
  lb: LoadBalancer,
  strategy: Strategy,
  assumable: (roleArn: string) => boolean,
): void {
  const adv = lb.advancedConfiguration as Partial<AdvancedConfiguration> | undefined;
  if (!adv) {
    if (strategy !== 'ROLLING') {
      throw invalid(
        `advancedConfiguration (alternateTargetGroupArn, productionListenerRule, roleArn) is required for each load balancer with the ${strategy} deployment strategy.`,
      );
    }
    return;
  }
  const primary = lb.targetGroupArn ?? '';
  const alternate = adv.alternateTargetGroupArn;
  if (typeof alternate !== 'string' || !sim.elb.targetGroupExists(alternate)) {
    throw invalid(
      'Unable to assume role and validate the specified alternateTargetGroupArn. Please verify that the ECS infrastructure role being passed has the proper permissions.',
    );
  }
  if (alternate === primary) throw invalid('alternateTargetGroupArn must differ from targetGroupArn.');
  if (typeof adv.roleArn !== 'string' || !ROLE_ARN.test(adv.roleArn)) {
    throw invalid('roleArn in advancedConfiguration must be an IAM role ARN.');
  }
  if (!assumable(adv.roleArn)) {
    throw invalid(`Amazon ECS was unable to assume the role ${adv.roleArn}.`);
  }
  const groups = [primary, alternate];
  checkRule(sim, adv.productionListenerRule, 'productionListenerRule', groups);
  if (adv.testListenerRule !== undefined) checkRule(sim, adv.testListenerRule, 'testListenerRule', groups);
  const lbArn = ruleLoadBalancer(sim, adv.productionListenerRule as string);
  for (const rule of [adv.testListenerRule]) {
    if (rule !== undefined && ruleLoadBalancer(sim, rule) !== lbArn) {
      throw invalid(
        'testListenerRule must belong to a listener of the same load balancer as productionListenerRule.',
      );
    }
  }
  // A target group serves one load balancer; ECS will put both groups into the production rule.
  for (const tg of groups) {
    const others = sim.elb.loadBalancersOf(tg).filter((arn) => arn !== lbArn);
    if (others.length > 0) {
      throw invalid(
        `The target group ${tg} is associated with another load balancer than the one of productionListenerRule.`,
      );
    }
  }
  if (!sim.elb.targetGroupHasLoadBalancer(alternate)) {
    throw invalid(
      `The target group with targetGroupArn ${alternate} does not have an associated load balancer.`,
    );
  }
}
