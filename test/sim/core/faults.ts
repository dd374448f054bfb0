import { AwsError } from './errors.js';

/**
 * What a fault does to a matching call.
 * - `throttle`: answers 400 ThrottlingException (Throttling for ELBv2) before the call runs.
 * - `error5xx`: answers 500 InternalFailure before the call runs: nothing changed.
 * - `latency`: waits `latencyMs` before the call runs, so both the answer and the effect are late.
 * - `landThen5xx`: the call runs and its change stays, then it answers 500 InternalFailure: the
 *   caller (and the SDK's retry) cannot tell it from a call that did nothing.
 * - `lateEffect`: the change becomes visible `effectDelayMs` after the call arrived. With
 *   `answer: 'after'` (default) the caller gets the call's real answer once the change landed,
 *   `latencyMs` later still; with `answer: 'before'` the caller gets its (empty) answer after
 *   `latencyMs` and the change lands on its own afterwards.
 */
export type FaultKind = 'throttle' | 'error5xx' | 'latency' | 'landThen5xx' | 'lateEffect';

/** A fault to inject on an operation (or `*` for all). */
export interface FaultRule {
  operation: string;
  kind: FaultKind;
  /** Share of matching calls affected, 0..1 (default 1). Deterministic: every round(1/rate)-th call. */
  rate?: number;
  /** Affect only the next N matching calls (a burst), then the rule expires. */
  count?: number;
  /** Wall milliseconds of latency: before the call for `latency`, on the answer for `lateEffect`. */
  latencyMs?: number;
  /** Wall milliseconds after the call arrived at which a `lateEffect` change becomes visible. */
  effectDelayMs?: number;
  /** For `lateEffect`: whether the caller is answered after the change landed (default) or before. */
  answer?: 'after' | 'before';
  /** Only while this wall-clock window is open (epoch ms): a timed outage such as "30 s of 5xx". */
  from?: number;
  until?: number;
}

/**
 * Writes whose AWS answer carries no state (an empty result), so the simulator can answer them
 * before their change lands. Any other write answers with the resource it changed, which does
 * not exist yet before the change: those take `answer: 'after'`.
 */
export const EMPTY_ANSWER_WRITES = new Set([
  'TagResource',
  'UntagResource',
  'AddTags',
  'RemoveTags',
  'DeleteRule',
  'RegisterTargets',
  'DeregisterTargets',
  'SetAlarmState',
  'DeleteAlarms',
]);

interface ActiveRule extends FaultRule {
  seen: number;
  hits: number;
}

/** What the server must do around the handler after the pre-call faults passed. */
export interface FaultPlan {
  landThen5xx: boolean;
  lateEffect?: { effectDelayMs: number; answer: 'after' | 'before'; latencyMs: number };
}

export function injected5xx(): AwsError {
  return new AwsError('InternalFailure', 'Injected server error', 500, 'Receiver');
}

/**
 * Fault injection. Rates are applied deterministically (a counter, not Math.random) so a test
 * that throttles "a third of DescribeServices calls" behaves the same on every run.
 */
export class Faults {
  private rules: ActiveRule[] = [];
  private readonly pending = new Set<NodeJS.Timeout>();

  add(rule: FaultRule): void {
    if (rule.kind === 'lateEffect') {
      if (rule.effectDelayMs === undefined || rule.effectDelayMs < 0) {
        throw new Error('a lateEffect fault needs effectDelayMs (wall milliseconds, >= 0)');
      }
      if (rule.answer === 'before' && !EMPTY_ANSWER_WRITES.has(rule.operation)) {
        throw new Error(
          `a lateEffect fault can answer before the change only for writes with an empty answer (${[...EMPTY_ANSWER_WRITES].join(', ')}), not ${rule.operation}`,
        );
      }
    }
    this.rules.push({ ...rule, seen: 0, hits: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * Apply matching rules to a call: sleeps for latency, throws for throttle/5xx, and returns
   * what must happen around the handler (`landThen5xx`, `lateEffect`).
   * `throttleCode` differs per service (`ThrottlingException` for JSON services, `Throttling` for ELBv2).
   */
  async apply(operation: string, throttleCode: string): Promise<FaultPlan> {
    const plan: FaultPlan = { landThen5xx: false };
    const now = Date.now();
    for (const rule of this.rules) {
      if (rule.operation !== '*' && rule.operation !== operation) continue;
      if (rule.count !== undefined && rule.hits >= rule.count) continue;
      if (rule.from !== undefined && now < rule.from) continue;
      if (rule.until !== undefined && now >= rule.until) continue;
      rule.seen++;
      const rate = rule.rate ?? 1;
      const every = Math.max(1, Math.round(1 / rate));
      if (rule.seen % every !== 0) continue;
      rule.hits++;
      if (rule.kind === 'latency') {
        await new Promise((r) => setTimeout(r, rule.latencyMs ?? 1000));
      } else if (rule.kind === 'throttle') {
        throw new AwsError(throttleCode, 'Rate exceeded', 400);
      } else if (rule.kind === 'error5xx') {
        throw injected5xx();
      } else if (rule.kind === 'landThen5xx') {
        plan.landThen5xx = true;
      } else {
        plan.lateEffect = {
          effectDelayMs: rule.effectDelayMs ?? 0,
          answer: rule.answer ?? 'after',
          latencyMs: rule.latencyMs ?? 0,
        };
      }
    }
    return plan;
  }

  /** Run `effect` later, on its own; `stop()` drops effects that have not landed yet. */
  later(ms: number, effect: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      void effect();
    }, ms);
    this.pending.add(timer);
  }

  stop(): void {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }
}
