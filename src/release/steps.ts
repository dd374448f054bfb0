/**
 * The undoable steps of a release, as data: what each changed and enough to undo it from
 * nothing but this record (the post step runs in a fresh process). Every undo is idempotent: it
 * sets a value, it never toggles one, and it uses the same AWS primitive the change used.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  type DeploymentConfiguration,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { familyRevision, resourceId } from '../aws/arn.js';
import type { Bounds } from '../aws/autoscaling.js';
import type { AwsClients, ClientKind } from '../aws/clients.js';
import { setServiceRevision } from '../aws/update-service.js';
import { describeWeights, routeKind, type Weights } from '../aws/weights.js';

export type Step =
  /**
   * The release lock: a rule at the lock's priority on the listener, carrying `token` in its
   * tags. Undo: delete that rule if it still carries our token; any other rule is left alone.
   */
  | { kind: 'lock'; listenerArn: string; token: string }
  /**
   * Forward weights of a listener or rule before we changed them, with the whole action list
   * as it was. Undo: put the actions back in one Modify call (no read first: the restore is on
   * the clock); without them, read the route and set the weights. With `settleMs`, the undo
   * then waits that long (the load balancer routes by the old rule for a few seconds), so traffic
   * is restored when it says so and the steps undone after it find no requests on their side.
   */
  | {
      kind: 'route';
      role: 'production' | 'test';
      arn: string;
      weights: Weights;
      actions?: Action[];
      settleMs?: number;
    }
  /**
   * A service's task definition and desired count before we changed them (no count: we did not
   * change it). Undo: set them back, which starts a deployment of its own — unless
   * `deploymentId` (our deployment) completed or a newer deployment replaced it: what is live
   * then is not ours to undo.
   */
  | {
      kind: 'service';
      cluster: string;
      service: string;
      desiredCount?: number;
      taskDefinition: string;
      deploymentId?: string;
      /** When ECS created our deployment (ECS's clock): only a *newer* deployment supersedes it. */
      deploymentCreatedAt?: string;
      /** A rolling deploy: once its deployment completed it is the new state, not undone. */
      keepIfCompleted?: boolean;
    }
  /** An autoscaling target's bounds before we changed them (absent: there was none). */
  | {
      kind: 'scalable-target';
      resourceId: string;
      previous?: Bounds;
    }
  /**
   * A one-off task (a migration). Recorded before RunTask with its `startedBy`, and amended with
   * the ARN once ECS answers. Undo: stop it (stopping a stopped task changes nothing); without an
   * ARN, stop the running tasks of that `startedBy` started since `at`.
   */
  | { kind: 'task'; cluster: string; startedBy: string; at: number; taskArn?: string }
  /**
   * An ECS-native deployment started by UpdateService, with the deployment configuration the
   * service had before. Undo: stop the deployment if it is still in progress, with ECS's own
   * rollback (ECS puts production and test weights back), then write the configuration back.
   */
  | {
      kind: 'native-deployment';
      cluster: string;
      service: string;
      previousConfiguration: DeploymentConfiguration;
    }
  /**
   * A metric alarm as it was before its actions and dimensions moved to the other side (the
   * whole PutMetricAlarm input: PutMetricAlarm replaces the whole alarm). Undo: write it back.
   */
  | { kind: 'alarm'; previous: PutMetricAlarmCommandInput }
  /** A deployment configuration written without a deployment (this action's hook removed). Undo: write it again. */
  | {
      kind: 'deployment-configuration';
      cluster: string;
      service: string;
      configuration: DeploymentConfiguration;
    };

export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'lock':
      return `release lock on listener ${step.listenerArn.slice(step.listenerArn.indexOf('/') + 1)}`;
    case 'route':
      return `${step.role} traffic (${describeWeights(step.weights)} before)`;
    case 'service':
      return `service ${step.service} (${step.desiredCount === undefined ? '' : `${step.desiredCount} tasks of `}${familyRevision(step.taskDefinition)} before)`;
    case 'scalable-target':
      return `autoscaling of ${step.resourceId}`;
    case 'task':
      return `one-off task ${step.taskArn ? resourceId(step.taskArn) : `started by ${step.startedBy}`}`;
    case 'native-deployment':
      return `ECS blue/green deployment of ${step.service}`;
    case 'deployment-configuration':
      return `deployment configuration of ${step.service}`;
    case 'alarm':
      return `alarm ${step.previous.AlarmName}`;
  }
}

/**
 * Read what is live before undoing a deploy: one a newer deployment replaced is superseded, and
 * a rolling deployment that completed is a success; neither is undone. Returns why, or undefined.
 */
async function notOursToUndo(
  clients: AwsClients,
  step: Extract<Step, { kind: 'service' }>,
): Promise<string | undefined> {
  const out = await clients.ecs.send(
    new DescribeServicesCommand({ cluster: step.cluster, services: [step.service] }),
  );
  const deployments = out.services?.[0]?.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (!primary) return undefined;
  const td = (arn?: string) => familyRevision(arn ?? '');
  // A newer deployment than ours supersedes it; an older one made PRIMARY again is ECS's own
  // rollback (circuit breaker, alarms) of ours, which the undo may follow.
  const newer =
    primary.id !== step.deploymentId &&
    (!step.deploymentCreatedAt ||
      (primary.createdAt?.getTime() ?? 0) > new Date(step.deploymentCreatedAt).getTime());
  if (newer) {
    return `${step.service} left alone: deployment ${primary.id} (${td(primary.taskDefinition)}) superseded ours (${step.deploymentId}); undoing would roll back over it.`;
  }
  if (step.keepIfCompleted && primary.rolloutState === 'COMPLETED' && deployments.length === 1) {
    return `${step.service} left alone: our deployment ${step.deploymentId} (${td(primary.taskDefinition)}) completed.`;
  }
  return undefined;
}

const CLIENT_OF: Record<Step['kind'], ClientKind> = {
  lock: 'elb',
  route: 'elb',
  service: 'ecs',
  'scalable-target': 'autoscaling',
  task: 'ecs',
  'native-deployment': 'ecs',
  'deployment-configuration': 'ecs',
  alarm: 'cloudwatch',
};

/** The AWS clients that undoing `steps` calls: the post step loads only those. */
export function clientsFor(steps: readonly Step[]): ClientKind[] {
  return [...new Set(steps.map((s) => CLIENT_OF[s.kind]))];
}

export interface UndoneStep {
  /** The sentence the log and summary show. */
  text: string;
  /** The deployment an undo of a service started, for a caller that watches it. */
  deploymentId?: string;
}

/**
 * Undo one step. The load-balancer and autoscaling code is imported when a step needs it, so
 * the post step of a release that moved no traffic loads neither.
 */
export async function undoStep(clients: AwsClients, step: Step): Promise<string> {
  return (await undoStepFully(clients, step)).text;
}

/** Undo one step, with the deployment an undo of a service started (a caller may watch it). */
export async function undoStepFully(clients: AwsClients, step: Step): Promise<UndoneStep> {
  switch (step.kind) {
    case 'route': {
      const { setWeights, writeWeights } = await import('../aws/traffic.js');
      if (step.actions)
        await writeWeights(
          clients.elb,
          { arn: step.arn, kind: routeKind(step.arn), actions: step.actions },
          step.weights,
        );
      else await setWeights(clients.elb, step.arn, step.weights);
      if (step.settleMs) await sleep(step.settleMs);
      return {
        text: `${step.role === 'production' ? 'Production' : 'Test'} traffic restored: ${describeWeights(step.weights)}.`,
      };
    }
    case 'service': {
      const leftAlone = step.deploymentId ? await notOursToUndo(clients, step) : undefined;
      if (leftAlone) return { text: leftAlone };
      const deploymentId = await setServiceRevision(clients.ecs, step);
      const count =
        step.desiredCount === undefined
          ? ''
          : `${step.desiredCount} task${step.desiredCount === 1 ? '' : 's'} of `;
      return {
        text: `${step.service} set back to ${count}${familyRevision(step.taskDefinition)}.`,
        deploymentId,
      };
    }
    case 'scalable-target':
      return undoScalableTarget(clients, step);
    case 'task': {
      const { stopTask } = await import('../aws/run-task.js');
      const arns = step.taskArn ? [step.taskArn] : await runningTasksSince(clients, step);
      for (const arn of arns)
        await stopTask(
          clients.ecs,
          step.cluster,
          arn,
          'Stopped by deploy-action: the job was cancelled or failed',
        );
      return {
        text: arns.length
          ? `One-off task ${arns.map(resourceId).join(', ')} stopped.`
          : `No one-off task started by ${step.startedBy} was running.`,
      };
    }
    case 'native-deployment': {
      const { newestServiceDeployment, stopWithRollback } = await import('../aws/service-deployments.js');
      const arn = await newestServiceDeployment(clients.ecs, step.cluster, step.service, [
        'IN_PROGRESS',
        'PENDING',
      ]);
      if (arn) await stopWithRollback(clients.ecs, arn);
      await writeConfiguration(clients, step.cluster, step.service, step.previousConfiguration);
      return {
        text: arn
          ? `Production traffic restored: ECS is rolling ${step.service} back (StopServiceDeployment ${resourceId(arn)}).`
          : `${step.service}: no deployment in progress; deployment configuration set back.`,
      };
    }
    case 'deployment-configuration':
      await writeConfiguration(clients, step.cluster, step.service, step.configuration);
      return { text: `${step.service}: deployment configuration written.` };
    case 'alarm':
      return undoAlarm(clients, step);
    case 'lock': {
      const { releaseLockOf } = await import('./lock.js');
      return {
        text: (await releaseLockOf(clients.elb, step.listenerArn, step.token))
          ? 'Release lock released.'
          : 'Release lock not held by this run (another run holds it, or it was never taken); left alone.',
      };
    }
  }
}

async function undoScalableTarget(
  clients: AwsClients,
  step: Extract<Step, { kind: 'scalable-target' }>,
): Promise<UndoneStep> {
  const { removeScalableTarget, writeBounds } = await import('../aws/autoscaling.js');
  if (!step.previous) {
    await removeScalableTarget(clients.autoscaling, step.resourceId);
    return { text: `Autoscaling of ${step.resourceId} removed (it had none).` };
  }
  await writeBounds(clients.autoscaling, step.resourceId, step.previous);
  return {
    text: `Autoscaling of ${step.resourceId} set back to ${step.previous.min}..${step.previous.max}.`,
  };
}

/** PutMetricAlarm replaces the whole alarm: writing the recorded one back restores every field. */
async function undoAlarm(clients: AwsClients, step: Extract<Step, { kind: 'alarm' }>): Promise<UndoneStep> {
  const { writeAlarm } = await import('../aws/scaling-alarms.js');
  await writeAlarm(clients.cloudwatch, step.previous);
  return { text: `Alarm ${step.previous.AlarmName} set back to the actions and dimensions it had.` };
}

/** Running tasks of a `startedBy` that started at or after the step was recorded (a crash between record and answer). */
async function runningTasksSince(
  clients: AwsClients,
  step: Extract<Step, { kind: 'task' }>,
): Promise<string[]> {
  // `startedBy` must be ListTasks' only filter; without a desired status it lists RUNNING ones.
  const listed = await clients.ecs.send(
    new ListTasksCommand({ cluster: step.cluster, startedBy: step.startedBy }),
  );
  const arns = listed.taskArns ?? [];
  if (!arns.length) return [];
  const out = await clients.ecs.send(
    new DescribeTasksCommand({ cluster: step.cluster, tasks: arns.slice(0, 100) }),
  );
  return (out.tasks ?? [])
    .filter((t) => (t.createdAt?.getTime() ?? 0) >= step.at - 60_000)
    .map((t) => t.taskArn ?? '')
    .filter(Boolean);
}

async function writeConfiguration(
  clients: AwsClients,
  cluster: string,
  service: string,
  deploymentConfiguration: DeploymentConfiguration,
): Promise<void> {
  await clients.ecs
    .send(new UpdateServiceCommand({ cluster, service, deploymentConfiguration }))
    .catch((err: Error) => {
      throw new Error(`Writing the deployment configuration of ${service}: ${err.name}: ${err.message}`);
    });
}
