import { targetGroupName } from './arn.js';
/**
 * Listener weights as plain data: what the journal records and the log prints. Kept apart from
 * `traffic.ts`, which moves them, so the post step can describe a journal without loading the
 * load-balancer client.
 */

/** Target-group ARN → weight (0–999). */
export type Weights = Record<string, number>;

export function routeKind(arn: string): 'listener' | 'rule' {
  return arn.includes(':listener-rule/') ? 'rule' : 'listener';
}

export function describeWeights(weights: Weights): string {
  return Object.entries(weights)
    .map(([arn, w]) => `${targetGroupName(arn)}=${w}`)
    .join(', ');
}

export { targetGroupName };
