/**
 * Starts a rolling deployment: `UpdateService` with the new revision and the deployment
 * configuration from settings, and returns the id of the PRIMARY deployment it created — the
 * one the watcher follows (a later deploy by someone else must not be mistaken for ours).
 */
import {
  type DeploymentConfiguration,
  type ECSClient,
  type Service,
  type ServiceVolumeConfiguration,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { EbsVolumeSetting } from '../settings/deploy-fields.js';
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

/** The EBS volume setting as UpdateService takes it: the volume's name and its managed configuration. */
export function volumeConfiguration({
  name,
  ...managedEBSVolume
}: EbsVolumeSetting): ServiceVolumeConfiguration {
  return { name, managedEBSVolume: managedEBSVolume as ServiceVolumeConfiguration['managedEBSVolume'] };
}

/** When ECS created the deployment `startDeployment` started (ECS's clock, ISO), if it says. */
export function createdAtOf(started: StartedDeployment): string | undefined {
  return started.service.deployments?.find((d) => d.id === started.deploymentId)?.createdAt?.toISOString();
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
        enableECSManagedTags: options.rolling.enableEcsManagedTags,
        propagateTags: options.rolling.propagateTags,
        volumeConfigurations: options.rolling.ebsVolume
          ? [volumeConfiguration(options.rolling.ebsVolume)]
          : undefined,
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

/**
 * Put a service back on a task definition (and desired count, when given), as an undo does.
 * Returns the PRIMARY deployment this started when the answer names one, so it can be watched.
 */
export async function setServiceRevision(
  ecs: ECSClient,
  state: { cluster: string; service: string; taskDefinition: string; desiredCount?: number },
): Promise<string | undefined> {
  const out = await ecs
    .send(
      new UpdateServiceCommand({
        cluster: state.cluster,
        service: state.service,
        desiredCount: state.desiredCount,
        taskDefinition: state.taskDefinition,
      }),
    )
    .catch((err: Error) => {
      throw new Error(
        `Setting ${state.service} back to ${state.desiredCount === undefined ? '' : `${state.desiredCount} × `}${state.taskDefinition}: ${err.name}: ${err.message}`,
      );
    });
  return out.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
}
