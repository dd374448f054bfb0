/**
 * Service deployments (ListServiceDeployments / DescribeServiceDeployments / StopServiceDeployment):
 * ECS's newer view of a deployment as a transition from source service revisions to a target
 * revision, with its own status that records a rollback. Each `Deployment` of the classic
 * `deployments[]` list is one service revision here.
 */
import { randomBytes } from 'node:crypto';
import { ACCOUNT, REGION } from '../contracts.js';
import type { Deployment, Service, Task } from './model.js';

export type ServiceDeploymentStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'SUCCESSFUL'
  | 'STOPPED'
  | 'STOP_REQUESTED'
  | 'ROLLBACK_REQUESTED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_SUCCESSFUL'
  | 'ROLLBACK_FAILED';

export interface ServiceDeploymentRecord {
  arn: string;
  service: Service;
  target: Deployment;
  sources: Deployment[];
  status: ServiceDeploymentStatus;
  statusReason?: string;
  createdAt: Date;
  startedAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
  stoppedAt?: Date;
  rollback?: { reason: string; startedAt: Date; to: Deployment };
  /** The breaker's verdict, kept with the record (the classic deployment list forgets old ones). */
  breakerTriggered: boolean;
  /** Deployment alarms that were in ALARM when they failed the deployment. */
  triggeredAlarms: string[];
  /** The deployment configuration the deployment started with (a later UpdateService does not rewrite it). */
  deploymentConfiguration: Service['deploymentConfiguration'];
}

export function revisionArn(service: Service, d: Deployment): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/${service.cluster.name}/${service.name}/${d.id.slice('ecs-svc/'.length)}`;
}

/** Called when a deployment is created: the newest record supersedes unfinished older ones. */
export function openServiceDeployment(
  service: Service,
  target: Deployment,
  now: number,
): ServiceDeploymentRecord {
  const at = new Date(now);
  for (const r of service.serviceDeployments) {
    if (r.status === 'IN_PROGRESS' || r.status === 'ROLLBACK_IN_PROGRESS') {
      r.status = 'STOPPED';
      r.statusReason = 'Superseded by a newer service deployment.';
      r.stoppedAt = at;
      r.updatedAt = at;
    }
  }
  const record: ServiceDeploymentRecord = {
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${service.cluster.name}/${service.name}/${randomBytes(11).toString('base64url')}`,
    service,
    target,
    sources: service.deployments.filter((d) => d !== target),
    status: 'IN_PROGRESS',
    createdAt: at,
    startedAt: at,
    updatedAt: at,
    breakerTriggered: false,
    triggeredAlarms: [],
    deploymentConfiguration: structuredClone(service.deploymentConfiguration),
  };
  service.serviceDeployments.unshift(record);
  return record;
}

/** A revision reached COMPLETED: finish the record that targeted it, or the rollback that went back to it. */
export function onRevisionCompleted(service: Service, d: Deployment, now: number): void {
  const at = new Date(now);
  for (const r of service.serviceDeployments) {
    if (r.target === d && r.status === 'IN_PROGRESS') {
      r.status = 'SUCCESSFUL';
      r.finishedAt = at;
      r.updatedAt = at;
    }
    if (r.rollback?.to === d && r.status === 'ROLLBACK_IN_PROGRESS') {
      r.status = 'ROLLBACK_SUCCESSFUL';
      r.finishedAt = at;
      r.updatedAt = at;
    }
  }
}

/** A revision failed (circuit breaker) or was stopped; `rollbackTo` when ECS goes back to another. */
export function onRevisionFailed(
  service: Service,
  d: Deployment,
  now: number,
  reason: string,
  rollbackTo: Deployment | undefined,
  cause: { breaker?: boolean; alarms?: string[] },
): void {
  const at = new Date(now);
  const r = service.serviceDeployments.find((x) => x.target === d);
  if (!r) return;
  r.breakerTriggered = r.breakerTriggered || (cause.breaker ?? false);
  r.triggeredAlarms.push(...(cause.alarms ?? []));
  r.statusReason = reason;
  r.updatedAt = at;
  if (rollbackTo) {
    r.status = 'ROLLBACK_IN_PROGRESS';
    r.rollback = { reason, startedAt: at, to: rollbackTo };
  } else {
    r.status = 'STOPPED';
    r.stoppedAt = at;
  }
}

function summary(service: Service, d: Deployment, tasks: Task[]) {
  const mine = tasks.filter((t) => t.deploymentId === d.id && t.desiredStatus === 'RUNNING');
  return {
    arn: revisionArn(service, d),
    requestedTaskCount: d.desiredCount,
    runningTaskCount: mine.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTaskCount: mine.filter((t) => t.lastStatus !== 'RUNNING').length,
  };
}

export function serviceDeploymentBrief(r: ServiceDeploymentRecord) {
  return {
    serviceDeploymentArn: r.arn,
    serviceArn: r.service.arn,
    clusterArn: r.service.cluster.arn,
    startedAt: r.startedAt,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    targetServiceRevisionArn: revisionArn(r.service, r.target),
    status: r.status,
    statusReason: r.statusReason,
  };
}

export function serviceDeploymentView(r: ServiceDeploymentRecord, tasks: Task[], threshold: number) {
  const breaker = r.deploymentConfiguration.deploymentCircuitBreaker;
  const finished = r.status !== 'IN_PROGRESS' && r.status !== 'ROLLBACK_IN_PROGRESS';
  return {
    serviceDeploymentArn: r.arn,
    serviceArn: r.service.arn,
    clusterArn: r.service.cluster.arn,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    stoppedAt: r.stoppedAt,
    updatedAt: r.updatedAt,
    sourceServiceRevisions: r.sources.map((d) => summary(r.service, d, tasks)),
    targetServiceRevision: summary(r.service, r.target, tasks),
    status: r.status,
    statusReason: r.statusReason,
    deploymentConfiguration: r.deploymentConfiguration,
    rollback: r.rollback && {
      reason: r.rollback.reason,
      startedAt: r.rollback.startedAt,
      serviceRevisionArn: revisionArn(r.service, r.rollback.to),
    },
    deploymentCircuitBreaker: {
      status: !breaker.enable
        ? 'DISABLED'
        : r.breakerTriggered
          ? 'TRIGGERED'
          : finished
            ? 'MONITORING_COMPLETE'
            : 'MONITORING',
      failureCount: r.target.failedTasks,
      threshold,
    },
    alarms: r.deploymentConfiguration.alarms?.enable
      ? {
          status: r.triggeredAlarms.length ? 'TRIGGERED' : finished ? 'MONITORING_COMPLETE' : 'MONITORING',
          alarmNames: r.deploymentConfiguration.alarms.alarmNames,
          triggeredAlarmNames: r.triggeredAlarms,
        }
      : { status: 'DISABLED' },
  };
}

/** DescribeServiceRevisions: what one revision runs (task definition, images pinned to digests, load balancers). */
export function serviceRevisionView(service: Service, d: Deployment) {
  return {
    serviceRevisionArn: revisionArn(service, d),
    serviceArn: service.arn,
    clusterArn: service.cluster.arn,
    taskDefinition: d.taskDefinitionArn,
    launchType: d.launchType,
    loadBalancers: d.loadBalancers,
    networkConfiguration: d.networkConfiguration,
    containerImages: d.containerImages,
    createdAt: d.createdAt,
  };
}
