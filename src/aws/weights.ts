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

/** `web-blue` from `arn:…:targetgroup/web-blue/0123…`. */
export function targetGroupName(arn: string): string {
  const m = /targetgroup\/([^/]+)\//.exec(arn);
  return m?.[1] ?? arn;
}
