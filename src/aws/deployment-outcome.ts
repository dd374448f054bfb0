/**
 * The rules that decide, from one `DescribeServices` answer, whether *our* deployment (the id
 * `UpdateService` returned) succeeded, failed, or is still going. Kept pure so every rule is
 * tested without AWS. "Stable" is never the question: a service that ECS rolled back is stable
 * on the old revision, and that is a failure.
 */
import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { familyRevision } from './arn.js';

/** ECS's own circuit-breaker threshold: ceil(0.5 × desired), at least 3, at most 200. */
export function circuitBreakerThreshold(desired: number): number {
  return Math.min(200, Math.max(3, Math.ceil(0.5 * desired)));
}

export interface Progress {
  running: number;
  desired: number;
  pending: number;
  failed: number;
}

export type Verdict =
  | { state: 'in-progress'; progress: Progress }
  | { state: 'succeeded'; progress: Progress }
  /**
   * A newer deployment (the action's own or anyone's) replaced ours before it finished: not a
   * failure of ours, and never a reason to roll back over the newer one.
   */
  | {
      state: 'superseded';
      reason: string;
      progress: Progress;
      by: { deploymentId: string; taskDefinition: string };
    }
  | {
      state: 'failed';
      reason: string;
      progress: Progress;
      /** Set when ECS itself started a rollback deployment (circuit breaker or deployment alarms). */
      ecsRollback?: { deploymentId: string; taskDefinition: string };
    };

export interface JudgeOptions {
  /** Fail at this many consecutive failed tasks; undefined leaves the decision to ECS. */
  failedTasksThreshold?: number;
}

const ROLLING_BACK = /rolling back/i;

function progressOf(d: Deployment | undefined, service: Service): Progress {
  return {
    running: d?.runningCount ?? service.runningCount ?? 0,
    desired: d?.desiredCount ?? service.desiredCount ?? 0,
    pending: d?.pendingCount ?? service.pendingCount ?? 0,
    failed: d?.failedTasks ?? 0,
  };
}

const ROLLBACK_EVENT = /rolling back to deployment (ecs-svc\/\d+)/;

/**
 * ECS undid our deploy (circuit breaker or deployment alarms): either a PRIMARY deployment that
 * is not ours says it is rolling back, or — once that rollback finished and its reason reads
 * "completed" — the service events say ours failed and ECS rolled back after that.
 */
function ecsRollbackOf(
  service: Service,
  ours: string,
): { deploymentId: string; taskDefinition: string; why?: string } | undefined {
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  // Events are newest first: ECS's account of our deployment failing, and a rollback after it.
  const events = (service.events ?? []).map((e) => e.message ?? '');
  const failedAt = events.findIndex((m) => m.includes(`(deployment ${ours}) deployment failed`));
  const why =
    failedAt >= 0 ? events[failedAt]!.replace(/^\(service [^)]*\) /, '').replace(/\.$/, '') : undefined;
  if (primary && primary.id !== ours && ROLLING_BACK.test(primary.rolloutStateReason ?? '')) {
    return { deploymentId: primary.id ?? '', taskDefinition: primary.taskDefinition ?? '', why };
  }
  if (failedAt < 0) return undefined;
  for (const message of events.slice(0, failedAt + 1)) {
    const match = ROLLBACK_EVENT.exec(message);
    if (!match) continue;
    const target = deployments.find((d) => d.id === match[1]) ?? primary;
    return { deploymentId: match[1]!, taskDefinition: target?.taskDefinition ?? '', why };
  }
  return undefined;
}

export function judgeDeployment(service: Service, deploymentId: string, options: JudgeOptions = {}): Verdict {
  const deployments = service.deployments ?? [];
  const ours = deployments.find((d) => d.id === deploymentId);
  const progress = progressOf(ours, service);

  if (service.status !== 'ACTIVE') {
    return { state: 'failed', reason: `the service is ${service.status ?? 'gone'}`, progress };
  }

  const rollback = ecsRollbackOf(service, deploymentId);
  if (rollback) {
    const why = rollback.why
      ? `: ${rollback.why}`
      : ours?.rolloutState === 'FAILED' && ours.rolloutStateReason
        ? `: ${ours.rolloutStateReason}`
        : '';
    return {
      state: 'failed',
      reason: `ECS rolled back to ${familyRevision(rollback.taskDefinition)} (deployment ${rollback.deploymentId})${why}`,
      progress,
      ecsRollback: { deploymentId: rollback.deploymentId, taskDefinition: rollback.taskDefinition },
    };
  }

  if (!ours) {
    const primary = deployments.find((d) => d.status === 'PRIMARY');
    if (primary) return supersededBy(primary, deploymentId, progress);
    return {
      state: 'failed',
      reason: `deployment ${deploymentId} is gone: the service has no deployment`,
      progress,
    };
  }

  if (ours.rolloutState === 'FAILED') {
    return {
      state: 'failed',
      reason: `ECS marked deployment ${deploymentId} as failed: ${ours.rolloutStateReason ?? 'no reason given'}`,
      progress,
    };
  }

  if (ours.status !== 'PRIMARY') {
    const primary = deployments.find((d) => d.status === 'PRIMARY');
    if (primary) return supersededBy(primary, deploymentId, progress);
    return { state: 'failed', reason: `deployment ${deploymentId} is no longer the primary one`, progress };
  }

  const threshold = options.failedTasksThreshold;
  if (threshold !== undefined && progress.failed >= threshold) {
    return {
      state: 'failed',
      reason: `${progress.failed} tasks of deployment ${deploymentId} failed in a row (threshold ${threshold})`,
      progress,
    };
  }

  // Without a rollout state (older ECS answers, or no circuit breaker on some controllers) the
  // same facts decide: ours is the only deployment and everything desired is running.
  const finished = ours.rolloutState === undefined || ours.rolloutState === 'COMPLETED';
  if (
    finished &&
    deployments.length === 1 &&
    progress.running === progress.desired &&
    progress.pending === 0
  ) {
    return { state: 'succeeded', progress };
  }
  return { state: 'in-progress', progress };
}

function supersededBy(primary: Deployment, ours: string, progress: Progress): Verdict {
  const by = { deploymentId: primary.id ?? '?', taskDefinition: primary.taskDefinition ?? '' };
  return {
    state: 'superseded',
    reason: `deployment ${by.deploymentId} (${familyRevision(by.taskDefinition)}) replaced deployment ${ours} before it finished`,
    progress,
    by,
  };
}

export function describeProgress(p: Progress): string {
  return `${p.running}/${p.desired} running, ${p.pending} pending, ${p.failed} failed`;
}
