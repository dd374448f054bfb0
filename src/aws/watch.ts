/**
 * One poller for every deployment of a run. Each poll reads all watched services with as few
 * `DescribeServices` calls as ECS allows (10 services per call, per cluster), judges *our*
 * deployment of each by the id `UpdateService` returned, prints a progress line only when it
 * changed, and drops a service from the poll as soon as its outcome is known. Unlike the SDK
 * waiter it has no minimum delay and no growing back-off while things go well: the outcome is
 * known within one poll interval of ECS settling.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { formatDuration } from '../settings/values.js';
import { familyRevision, serviceName } from './arn.js';
import {
  circuitBreakerThreshold,
  describeProgress,
  judgeDeployment,
  type Progress,
  type Verdict,
} from './deployment-outcome.js';

export interface WatchTarget {
  cluster: string;
  service: string;
  deploymentId: string;
  /**
   * Whose tasks this deployment starts, when they are not the release's new ones, e.g. "the
   * previous revision's, ECS rolled back": every progress line says so, so that "2/2 running"
   * of a rollback never reads as the release succeeding.
   */
  whose?: string;
}

/**
 * What a progress line says besides the counts. Once ECS rolled our deployment back, or another
 * deployment replaced it, the counts are of other tasks than ours, and the line says whose.
 */
function whoseTasks(target: WatchTarget, verdict: Verdict): string {
  if (verdict.state === 'failed' && verdict.ecsRollback) {
    return ` — the previous revision's (${familyRevision(verdict.ecsRollback.taskDefinition)}), ECS rolled back`;
  }
  if (verdict.state === 'superseded') return " — a newer deployment's, not this release's";
  return target.whose ? ` — ${target.whose}` : '';
}

export type FinalVerdict = Exclude<Verdict, { state: 'in-progress' }>;

export interface WatchResult {
  target: WatchTarget;
  verdict: FinalVerdict;
  /** The service as last read (for the diagnosis: events, deployments). */
  service?: Service;
  /** When the outcome became known (the watcher's clock, epoch ms). */
  knownAt: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => wait(ms),
};

export interface WatchOptions {
  pollIntervalMs: number;
  /** Give up on deployments still going after this long. Taken as given: no hidden cap. */
  timeoutMs: number;
  /** Fail at this many consecutive failed tasks. */
  failedTasksThreshold?: number;
  /**
   * True when the ECS circuit breaker watches the deployment. Without an explicit threshold,
   * its verdict is awaited then (acting first would race ECS's own rollback); without the
   * breaker the watcher applies ECS's threshold formula itself, so nothing crash-loops forever.
   */
  circuitBreaker: boolean;
  log: (line: string) => void;
  /** Called once per outage of the ECS API (5xx, connection errors) the watch waits out. */
  warn?: (line: string) => void;
  clock?: Clock;
  /** Called after every poll with the number of DescribeServices calls it made (for figures). */
  onPoll?: (calls: number) => void;
}

/** ECS answers at most 10 services per DescribeServices call. */
export const SERVICES_PER_CALL = 10;
/** Throttling widens the interval up to this many times the configured one. */
const MAX_BACKOFF_FACTOR = 8;

export function isThrottling(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  return name === 'ThrottlingException' || name === 'Throttling' || name === 'TooManyRequestsException';
}

/**
 * An answer that says nothing about the deployment: a 5xx, or no answer at all (connection
 * refused or reset, a timeout). ECS keeps deploying meanwhile, so the watcher keeps asking.
 */
export function isTransient(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || e?.$fault === 'server') return true;
  const code = e?.code ?? e?.name ?? '';
  return /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|TimeoutError|RequestTimeout|NetworkingError)$/.test(
    code,
  );
}

/** A watched service DescribeServices no longer knows: failed, with what ECS said of it. */
function notFound(w: Watched, reason: string | undefined): FinalVerdict {
  return {
    state: 'failed',
    reason: `service not found (${reason ?? 'missing from DescribeServices'})`,
    progress: w.lastProgress ?? { running: 0, desired: 0, pending: 0, failed: 0 },
  };
}

/** Group targets per cluster, then cut each group into DescribeServices-sized batches. */
export function batchTargets(targets: WatchTarget[]): WatchTarget[][] {
  const byCluster = new Map<string, WatchTarget[]>();
  for (const t of targets) byCluster.set(t.cluster, [...(byCluster.get(t.cluster) ?? []), t]);
  const batches: WatchTarget[][] = [];
  for (const group of byCluster.values()) {
    for (let i = 0; i < group.length; i += SERVICES_PER_CALL)
      batches.push(group.slice(i, i + SERVICES_PER_CALL));
  }
  return batches;
}

function thresholdFor(options: WatchOptions, desired: number): number | undefined {
  if (options.failedTasksThreshold !== undefined) return options.failedTasksThreshold;
  return options.circuitBreaker ? undefined : circuitBreakerThreshold(desired);
}

interface Watched {
  target: WatchTarget;
  lastLine?: string;
  lastProgress?: Progress;
  service?: Service;
}

export async function watchDeployments(
  ecs: ECSClient,
  targets: WatchTarget[],
  options: WatchOptions,
): Promise<WatchResult[]> {
  const clock = options.clock ?? realClock;
  const started = clock.now();
  const deadline = started + options.timeoutMs;
  const pending = new Map<string, Watched>(targets.map((t) => [key(t), { target: t }]));
  const results = new Map<string, WatchResult>();
  let interval = options.pollIntervalMs;
  let outage: { since: number; calls: number } | undefined;

  const finish = (w: Watched, verdict: FinalVerdict) => {
    results.set(key(w.target), { target: w.target, verdict, service: w.service, knownAt: clock.now() });
    pending.delete(key(w.target));
    const label = serviceName(w.target.service);
    options.log(
      verdict.state === 'succeeded'
        ? `${label}: deployment ${w.target.deploymentId} completed (${describeProgress(verdict.progress)}${whoseTasks(w.target, verdict)}).`
        : verdict.state === 'superseded'
          ? `${label}: superseded: ${verdict.reason}.`
          : `${label}: deployment ${w.target.deploymentId} failed: ${verdict.reason}.`,
    );
  };

  let lastPollAt = started;
  while (pending.size > 0) {
    const remaining = deadline - clock.now();
    if (remaining <= 0) break;
    // Polls start at a fixed rate: the time a poll itself takes is not added to the interval.
    await clock.sleep(Math.max(0, Math.min(interval - (clock.now() - lastPollAt), remaining)));
    lastPollAt = clock.now();

    const batches = batchTargets([...pending.values()].map((w) => w.target));
    const answers = await Promise.all(batches.map((batch) => describeBatch(ecs, batch)));
    options.onPoll?.(batches.length);
    let throttled = false;
    for (const [i, answer] of answers.entries()) {
      if (answer === 'throttled') {
        throttled = true;
        continue;
      }
      if ('unavailable' in answer) {
        throttled = true;
        if (!outage) {
          outage = { since: clock.now(), calls: 0 };
          options.warn?.(
            `Reading the services failed (${answer.unavailable}); ECS keeps deploying meanwhile, so the watch retries with backoff until the timeout (${formatDuration(options.timeoutMs)}).`,
          );
        }
        outage.calls++;
        continue;
      }
      if (outage) {
        options.log(
          `ECS answers again after ${formatDuration(clock.now() - outage.since)} (${outage.calls} failed read${outage.calls === 1 ? '' : 's'}).`,
        );
        outage = undefined;
      }
      for (const target of batches[i]!) {
        const w = pending.get(key(target))!;
        const name = serviceName(target.service);
        const service = answer.services.find((s) => s.serviceName === name);
        if (!service) {
          const failure = answer.failures.find((f) => f.arn && serviceName(f.arn) === name);
          finish(w, notFound(w, failure?.reason));
          continue;
        }
        w.service = service;
        const ours = service.deployments?.find((d) => d.id === target.deploymentId);
        const verdict = judgeDeployment(service, target.deploymentId, {
          failedTasksThreshold: thresholdFor(options, ours?.desiredCount ?? service.desiredCount ?? 0),
        });
        w.lastProgress = verdict.progress;
        const line = `${name}: ${describeProgress(verdict.progress)}${whoseTasks(target, verdict)}`;
        if (line !== w.lastLine) {
          options.log(line);
          w.lastLine = line;
        }
        if (verdict.state !== 'in-progress') finish(w, verdict);
      }
    }
    // Throttling or an outage that outlasted the SDK's retries: poll less often until a poll goes through.
    interval = throttled
      ? Math.min(interval * 2, options.pollIntervalMs * MAX_BACKOFF_FACTOR)
      : options.pollIntervalMs;
  }

  for (const w of pending.values()) {
    const progress = w.lastProgress ?? { running: 0, desired: 0, pending: 0, failed: 0 };
    finish(w, {
      state: 'failed',
      reason: `timed out after ${formatDuration(options.timeoutMs)} (input "timeout") with ${describeProgress(progress)}`,
      progress,
    });
  }
  return targets.map((t) => results.get(key(t))!);
}

function key(t: WatchTarget): string {
  return `${t.cluster}\u0000${serviceName(t.service)}`;
}

async function describeBatch(
  ecs: ECSClient,
  batch: WatchTarget[],
): Promise<
  | { services: Service[]; failures: { arn?: string; reason?: string }[] }
  | 'throttled'
  | { unavailable: string }
> {
  const cluster = batch[0]!.cluster;
  try {
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster, services: batch.map((t) => t.service) }),
    );
    return { services: out.services ?? [], failures: out.failures ?? [] };
  } catch (err) {
    if (isThrottling(err)) return 'throttled';
    const e = err as Error;
    if (isTransient(err)) return { unavailable: `${e.name}: ${e.message}` };
    throw new Error(
      `Reading services ${batch.map((t) => serviceName(t.service)).join(', ')} in cluster "${cluster}": ${e.name}: ${e.message}`,
    );
  }
}
