/** One AWS operation the simulator received, successful or not. */
export interface CallRecord {
  /** Wall-clock time the call arrived, epoch ms. */
  at: number;
  /** `ecs`, `ecr`, `elbv2`, `cloudwatch`, `autoscaling`, `logs`. */
  service: string;
  operation: string;
  params: Record<string, unknown>;
  /** The access key id that signed the call: which caller made it, as in CloudTrail. */
  accessKeyId?: string;
  /** True for any operation that can change state (everything but Describe/List/Get and log reads). */
  mutating: boolean;
  /** The caller's SDK user agent (the action's carries `deploy-action/<version>`). */
  userAgent?: string;
  /** The error code returned, if the call failed. */
  error?: string;
  /** Wall-clock time the call's handler ran to completion: its change is visible from then on. */
  landedAt?: number;
  /** For a change that landed after the caller was answered: the error it met when it landed. */
  effectError?: string;
}

const READ_ONLY = /^(Describe|List|Get|BatchGet|FilterLogEvents$)/;

export function isMutating(operation: string): boolean {
  return !READ_ONLY.test(operation);
}

export class CallLog {
  readonly calls: CallRecord[] = [];

  record(call: CallRecord): void {
    this.calls.push(call);
  }

  /**
   * Calls that could have changed state: those whose change landed (even when the caller was
   * answered with an error, or before it landed), plus every failed one if `includeFailed`.
   */
  mutations(includeFailed = false): CallRecord[] {
    return this.calls.filter(
      (c) => c.mutating && (includeFailed || (!c.error && !c.effectError) || c.landedAt !== undefined),
    );
  }

  count(operation?: string): number {
    return operation ? this.calls.filter((c) => c.operation === operation).length : this.calls.length;
  }

  clear(): void {
    this.calls.length = 0;
  }
}
