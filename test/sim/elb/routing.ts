/**
 * How an ALB picks what answers a request: the first rule (by priority) whose conditions all
 * match, else the default rule; for a weighted forward the target group by weight; inside the
 * group a target by round-robin among healthy ones, or among all registered ones when none is
 * healthy (fail-open). Pure functions over the model, so they are easy to test and reason about.
 */
import type { Action, Condition, Listener, Rule, Target, TargetGroup, TargetGroupTuple } from './model.js';

export interface RequestFacts {
  host: string;
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  query: URLSearchParams;
  sourceIp: string;
}

/** ALB wildcards: `*` any run of characters, `?` exactly one. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseInsensitive ? 'is' : 's').test(value);
}

function conditionValues(c: Condition): string[] {
  switch (c.Field) {
    case 'host-header':
      return c.HostHeaderConfig?.Values ?? c.Values ?? [];
    case 'path-pattern':
      return c.PathPatternConfig?.Values ?? c.Values ?? [];
    case 'http-header':
      return c.HttpHeaderConfig?.Values ?? [];
    case 'http-request-method':
      return c.HttpRequestMethodConfig?.Values ?? [];
    case 'source-ip':
      return c.SourceIpConfig?.Values ?? [];
    default:
      return c.Values ?? [];
  }
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.replace(/^::ffff:/, '').split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const a = ipv4ToInt(base ?? '');
  const b = ipv4ToInt(ip);
  const bits = Number(bitsText ?? '32');
  if (a === undefined || b === undefined) return false;
  if (bits === 0) return true;
  const mask = 2 ** 32 - 2 ** (32 - bits);
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function headerValues(headers: RequestFacts['headers'], name: string): string[] {
  const v = headers[name.toLowerCase()];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** One condition: its values are alternatives (OR). */
export function conditionMatches(c: Condition, req: RequestFacts): boolean {
  const values = conditionValues(c);
  switch (c.Field) {
    case 'host-header':
      // Host names compare without the port and without case.
      return values.some((p) => wildcardMatch(p, req.host.replace(/:\d+$/, ''), true));
    case 'path-pattern':
      // Paths are case-sensitive and exclude the query string.
      return values.some((p) => wildcardMatch(p, req.path, false));
    case 'http-header': {
      const actual = headerValues(req.headers, c.HttpHeaderConfig?.HttpHeaderName ?? '');
      return values.some((p) => actual.some((a) => wildcardMatch(p, a, true)));
    }
    case 'http-request-method':
      return values.includes(req.method.toUpperCase());
    case 'query-string':
      return (c.QueryStringConfig?.Values ?? []).some((kv) =>
        [...req.query.entries()].some(
          ([k, v]) =>
            (kv.Key === undefined || wildcardMatch(kv.Key, k, true)) && wildcardMatch(kv.Value, v, true),
        ),
      );
    case 'source-ip':
      return values.some((cidr) => cidrContains(cidr, req.sourceIp));
    default:
      return false;
  }
}

/** All conditions of a rule must match (AND). */
export function ruleMatches(rule: Rule, req: RequestFacts): boolean {
  return rule.conditions.every((c) => conditionMatches(c, req));
}

/** The rule that handles a request: lowest priority number first, the default rule last. */
export function selectRule(listener: Listener, req: RequestFacts): Rule {
  const sorted = [...listener.rules].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  return sorted.find((r) => ruleMatches(r, req)) ?? listener.defaultRule;
}

/** The action that ends a rule's chain (authenticate-* actions come before it and are not simulated). */
export function terminalAction(actions: Action[]): Action | undefined {
  const sorted = [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  return sorted.find((a) => a.Type === 'forward' || a.Type === 'fixed-response' || a.Type === 'redirect');
}

/**
 * Smooth weighted round-robin (as nginx does it). ALB spreads traffic by weight; doing it
 * deterministically rather than randomly makes a 90/10 split show up within a few requests,
 * so traffic tests are not flaky. Weight 0 is never chosen.
 */
export class WeightedPicker {
  private readonly current = new Map<string, number>();

  pick(groups: TargetGroupTuple[]): string | undefined {
    const live = groups.filter((g) => g.Weight > 0);
    if (live.length === 0) return undefined;
    const total = live.reduce((s, g) => s + g.Weight, 0);
    let best: TargetGroupTuple | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const g of live) {
      const score = (this.current.get(g.TargetGroupArn) ?? 0) + g.Weight;
      this.current.set(g.TargetGroupArn, score);
      if (score > bestScore) {
        best = g;
        bestScore = score;
      }
    }
    if (!best) return undefined;
    this.current.set(best.TargetGroupArn, bestScore - total);
    return best.TargetGroupArn;
  }
}

/** Health states that receive traffic while at least one target is healthy. */
function isHealthyForRouting(t: Target, healthChecksEnabled: boolean): boolean {
  return !healthChecksEnabled || t.state === 'healthy';
}

/**
 * The targets that may receive a new request: the healthy ones; if none is healthy, every
 * registered target (fail-open) — draining targets never get new requests. Empty means the
 * group has no registered targets, which an ALB answers with 503.
 */
export function routableTargets(tg: TargetGroup): Target[] {
  const registered = [...tg.targets.values()].filter((t) => t.state !== 'draining' && !t.gone);
  registered.sort((a, b) => a.seq - b.seq);
  const healthy = registered.filter((t) => isHealthyForRouting(t, tg.healthCheck.enabled));
  return healthy.length > 0 ? healthy : registered;
}

/** Round-robin over the routable targets. */
export function pickTarget(tg: TargetGroup): Target | undefined {
  const candidates = routableTargets(tg);
  if (candidates.length === 0) return undefined;
  const target = candidates[tg.cursor % candidates.length];
  tg.cursor = (tg.cursor + 1) % 1_000_000;
  return target;
}
