import { AwsError } from './errors.js';

/** A fault to inject on an operation (or `*` for all). */
export interface FaultRule {
  operation: string;
  /** What to do: throttle (400 ThrottlingException/Throttling), a 5xx, or added latency. */
  kind: 'throttle' | 'error5xx' | 'latency';
  /** Share of matching calls affected, 0..1 (default 1). Deterministic: every round(1/rate)-th call. */
  rate?: number;
  /** Affect only the next N matching calls (a burst), then the rule expires. */
  count?: number;
  /** Wall milliseconds of latency for `latency`. */
  latencyMs?: number;
}

interface ActiveRule extends FaultRule {
  seen: number;
  hits: number;
}

/**
 * Fault injection. Rates are applied deterministically (a counter, not Math.random) so a test
 * that throttles "a third of DescribeServices calls" behaves the same on every run.
 */
export class Faults {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, seen: 0, hits: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * Apply matching rules to a call: sleeps for latency, throws for throttle/5xx.
   * `throttleCode` differs per service (`ThrottlingException` for JSON services, `Throttling` for ELBv2).
   */
  async apply(operation: string, throttleCode: string): Promise<void> {
    for (const rule of this.rules) {
      if (rule.operation !== '*' && rule.operation !== operation) continue;
      if (rule.count !== undefined && rule.hits >= rule.count) continue;
      rule.seen++;
      const rate = rule.rate ?? 1;
      const every = Math.max(1, Math.round(1 / rate));
      if (rule.seen % every !== 0) continue;
      rule.hits++;
      if (rule.kind === 'latency') {
        await new Promise((r) => setTimeout(r, rule.latencyMs ?? 1000));
      } else if (rule.kind === 'throttle') {
        throw new AwsError(throttleCode, 'Rate exceeded', 400);
      } else {
        throw new AwsError('InternalFailure', 'Injected server error', 500, 'Receiver');
      }
    }
  }
}
