/**
 * ECS service deployments (the records of ECS-native blue/green, linear and canary releases):
 * find the one a release started, read it, act on a paused lifecycle hook, stop it.
 */
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  type ServiceDeploymentStatus,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';

/** The newest service deployment of a service (optionally only in these statuses), by ARN. */
export async function newestServiceDeployment(
  ecs: ECSClient,
  cluster: string,
  service: string,
  status?: ServiceDeploymentStatus[],
): Promise<string | undefined> {
  const out = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service, status, maxResults: 1 }));
  return out.serviceDeployments?.[0]?.serviceDeploymentArn;
}

export async function describeServiceDeployment(ecs: ECSClient, arn: string): Promise<ServiceDeployment> {
  const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const found = out.serviceDeployments?.[0];
  if (!found)
    throw new Error(`Service deployment ${arn} not found (${out.failures?.[0]?.reason ?? 'MISSING'}).`);
  return found;
}

export async function continueServiceDeployment(
  ecs: ECSClient,
  arn: string,
  hookId: string,
  action: 'CONTINUE' | 'ROLLBACK',
): Promise<void> {
  await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action }));
}

/** StopServiceDeployment with ECS's rollback to the revision that served before. */
export async function stopWithRollback(ecs: ECSClient, arn: string): Promise<void> {
  await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
}

/** Statuses after which ECS changes nothing more. */
export const FINISHED: ServiceDeploymentStatus[] = [
  'SUCCESSFUL',
  'STOPPED',
  'ROLLBACK_SUCCESSFUL',
  'ROLLBACK_FAILED',
];

export function isFinished(d: ServiceDeployment): boolean {
  return d.status !== undefined && FINISHED.includes(d.status);
}
