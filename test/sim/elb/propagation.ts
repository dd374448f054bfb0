/**
 * Listener and rule changes reach the load balancer's nodes a few seconds after the API
 * answered: "Rule updates do not take effect immediately, so requests could be routed using the
 * previous rule configuration for a short time after you update a rule" (ALB user guide). The
 * control plane (Describe*) shows a change at once; the data plane routes by what each rule was
 * `propagationDelayMs` (simulated) ago.
 */
import type { Action, Condition, Listener, Rule } from './model.js';

interface Routing {
  actions: Action[];
  conditions: Condition[];
  /** Simulated ms from which the proxy routes by this configuration. */
  from: number;
}

const served = new WeakMap<Rule, Routing[]>();

/** Record a ModifyListener/ModifyRule change; the old configuration keeps routing until `now + delay`. */
export function recordChange(
  rule: Rule,
  before: { actions: Action[]; conditions: Condition[] },
  now: number,
  delayMs: number,
): void {
  const history = served.get(rule) ?? [{ ...before, from: Number.NEGATIVE_INFINITY }];
  history.push({ actions: rule.actions, conditions: rule.conditions, from: now + delayMs });
  // Keep what still routes now and what is yet to land.
  const current = history.filter((h) => h.from <= now).at(-1);
  served.set(
    rule,
    history.filter((h) => h === current || h.from > now),
  );
}

/** What a rule routes by at `now`. */
export function routingOf(rule: Rule, now: number): Rule {
  const history = served.get(rule);
  if (!history) return rule;
  const current = history.filter((h) => h.from <= now).at(-1) ?? history[0]!;
  return current.actions === rule.actions && current.conditions === rule.conditions
    ? rule
    : { ...rule, actions: current.actions, conditions: current.conditions };
}

/** The listener as its load-balancer nodes see it at `now`. */
export function servedListener(listener: Listener, now: number): Listener {
  return {
    ...listener,
    defaultRule: routingOf(listener.defaultRule, now),
    rules: listener.rules.map((r) => routingOf(r, now)),
  };
}
