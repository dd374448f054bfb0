/**
 * Production (and test) traffic of a blue-green pair: the weights of the `forward` action of a
 * listener's default action or of a listener rule. Weights are always read from the load
 * balancer, never remembered: after a crash, a cancel or someone's manual switch, the load
 * balancer is the only truth about which side is live. `ModifyListener`/`ModifyRule` replace the
 * actions atomically, so moving traffic back is one call.
 */
import {
  type Action,
  DescribeListenersCommand,
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describeWeights, routeKind, targetGroupName, type Weights } from './weights.js';

// Re-exported so callers that move traffic find everything about weights here.
export { describeWeights, routeKind, targetGroupName, type Weights };

export interface Route {
  /** Listener or listener-rule ARN. */
  arn: string;
  kind: 'listener' | 'rule';
  actions: Action[];
}

export async function readRoute(elb: ElasticLoadBalancingV2Client, arn: string): Promise<Route> {
  const kind = routeKind(arn);
  try {
    if (kind === 'rule') {
      const out = await elb.send(new DescribeRulesCommand({ RuleArns: [arn] }));
      return { arn, kind, actions: out.Rules?.[0]?.Actions ?? [] };
    }
    const out = await elb.send(new DescribeListenersCommand({ ListenerArns: [arn] }));
    return { arn, kind, actions: out.Listeners?.[0]?.DefaultActions ?? [] };
  } catch (err) {
    const e = err as Error;
    throw new Error(`Reading ${kind} ${arn}: ${e.name}: ${e.message}`);
  }
}

function forwardAction(route: Route): Action {
  const forward = route.actions.find((a) => a.Type === 'forward');
  if (!forward) {
    throw new Error(
      `The ${route.kind} ${route.arn} has no forward action (its actions: ${route.actions.map((a) => a.Type).join(', ') || 'none'}). Expected: a forward to the blue and green target groups.`,
    );
  }
  return forward;
}

/** The weights of the route's forward action; a single-target forward counts as weight 1. */
export function weightsOf(route: Route): Weights {
  const forward = forwardAction(route);
  const groups = forward.ForwardConfig?.TargetGroups;
  if (groups?.length) {
    return Object.fromEntries(groups.map((g) => [g.TargetGroupArn ?? '', g.Weight ?? 1]));
  }
  return forward.TargetGroupArn ? { [forward.TargetGroupArn]: 1 } : {};
}

/** The route's actions with the forward action's weights replaced; every other action kept. */
export function withWeights(route: Route, weights: Weights): Action[] {
  const forward = forwardAction(route);
  return route.actions.map((a) => {
    if (a !== forward) return a;
    const { TargetGroupArn: _single, ForwardConfig, ...rest } = a;
    return {
      ...rest,
      ForwardConfig: {
        TargetGroups: Object.entries(weights).map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })),
        ...(ForwardConfig?.TargetGroupStickinessConfig
          ? { TargetGroupStickinessConfig: ForwardConfig.TargetGroupStickinessConfig }
          : {}),
      },
    };
  });
}

/** Replace the forward weights in one call. */
export async function writeWeights(
  elb: ElasticLoadBalancingV2Client,
  route: Route,
  weights: Weights,
): Promise<void> {
  const actions = withWeights(route, weights);
  try {
    if (route.kind === 'rule')
      await elb.send(new ModifyRuleCommand({ RuleArn: route.arn, Actions: actions }));
    else await elb.send(new ModifyListenerCommand({ ListenerArn: route.arn, DefaultActions: actions }));
  } catch (err) {
    const e = err as Error;
    throw new Error(
      `Setting weights ${describeWeights(weights)} on ${route.kind} ${route.arn}: ${e.name}: ${e.message}`,
    );
  }
}

/** Read the route fresh and set its weights: the safe form for undo, which may run much later. */
export async function setWeights(
  elb: ElasticLoadBalancingV2Client,
  arn: string,
  weights: Weights,
): Promise<void> {
  await writeWeights(elb, await readRoute(elb, arn), weights);
}

/** Weights that send `percent` % to `to` and the rest to `from`. */
export function split(from: string, to: string, percent: number): Weights {
  return { [from]: 100 - percent, [to]: percent };
}
