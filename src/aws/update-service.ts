/**
 * Starts a rolling deployment: `UpdateService` with the new revision and the deployment
 * configuration from settings, and returns the id of the PRIMARY deployment it created — the
 * one the watcher follows (a later deploy by someone else must not be mistaken for ours).
 */
import {
  type DeploymentConfiguration,
  type ECSClient,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { RollingSettings, ServiceTarget } from '../settings/settings.js';

export interface StartedDeployment {
  deploymentId: string;
  service: Service;
}

export function deploymentConfiguration(rolling: RollingSettings): DeploymentConfiguration {
  return {
    minimumHealthyPercent: rolling.minimumHealthyPercent,
    maximumPercent: rolling.maximumPercent,
    // With the breaker on, ECS rolls back by itself; the watcher reports that as a failure.
    deploymentCircuitBreaker: { enable: rolling.circuitBreaker, rollback: rolling.circuitBreaker },
    ...(rolling.deploymentAlarms.length
      ? { alarms: { alarmNames: rolling.deploymentAlarms, enable: true, rollback: true } }
      : {}),
  };
}

export async function startDeployment(
  ecs: ECSClient,
  target: ServiceTarget,
  taskDefinitionArn: string,
  options: { rolling: RollingSettings; desiredCount?: number; forceNewDeployment: boolean },
): Promise<StartedDeployment> {
  const out = await ecs
    .send(
      new UpdateServiceCommand({
        cluster: target.cluster,
        service: target.service,
        taskDefinition: taskDefinitionArn,
        desiredCount: options.desiredCount,
        forceNewDeployment: options.forceNewDeployment,
        deploymentConfiguration: deploymentConfiguration(options.rolling),
      }),
    )
    .catch((err: Error) => {
      throw new Error(
        `Updating service "${target.service}" in cluster "${target.cluster}" to ${taskDefinitionArn}: ${err.name}: ${err.message}`,
      );
    });
  const service = out.service;
  const primary = service?.deployments?.find((d) => d.status === 'PRIMARY');
  if (!service || !primary?.id) {
    throw new Error(`Updating service "${target.service}": the answer names no PRIMARY deployment.`);
  }
  return { deploymentId: primary.id, service };
}
