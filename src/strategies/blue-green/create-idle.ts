/**
 * First release on a setup that has only one service: the idle side is created from the live
 * service's configuration (network, launch type or capacity providers, platform version, load
 * balancer container and port, grace period, deployment configuration, placement, tags) with
 * the idle target group and 0 tasks. The user provides the idle target group, wired into the
 * production forward action (weight 0): ECS attaches a service only to a target group that a
 * load balancer already uses.
 */
import { CreateServiceCommand, type CreateServiceCommandInput, type Service } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../../aws/clients.js';
import type { Color, Side } from './topology.js';

/** Tags that describe one service's own state, not its configuration. */
const OWN_TAGS = /^deploy-action:/;

export function idleServiceInput(
  live: Service,
  cluster: string,
  name: string,
  targetGroupArn: string,
): CreateServiceCommandInput {
  const capacityProviders = live.capacityProviderStrategy?.length ? live.capacityProviderStrategy : undefined;
  const tags = (live.tags ?? []).filter((t) => !OWN_TAGS.test(t.key ?? ''));
  return {
    cluster,
    serviceName: name,
    taskDefinition: live.taskDefinition,
    desiredCount: 0,
    ...(capacityProviders
      ? { capacityProviderStrategy: capacityProviders }
      : { launchType: live.launchType }),
    platformVersion: live.platformVersion,
    networkConfiguration: live.networkConfiguration,
    loadBalancers: (live.loadBalancers ?? []).map((lb) => ({
      containerName: lb.containerName,
      containerPort: lb.containerPort,
      targetGroupArn,
    })),
    healthCheckGracePeriodSeconds: live.healthCheckGracePeriodSeconds,
    deploymentConfiguration: live.deploymentConfiguration,
    placementConstraints: live.placementConstraints?.length ? live.placementConstraints : undefined,
    placementStrategy: live.placementStrategy?.length ? live.placementStrategy : undefined,
    enableECSManagedTags: live.enableECSManagedTags,
    propagateTags: live.propagateTags,
    enableExecuteCommand: live.enableExecuteCommand,
    ...(tags.length ? { tags } : {}),
  };
}

export async function createIdleService(
  clients: AwsClients,
  cluster: string,
  live: Side,
  idle: { color: Color; service: string; targetGroupArn: string },
): Promise<Side> {
  const out = await clients.ecs
    .send(new CreateServiceCommand(idleServiceInput(live.raw, cluster, idle.service, idle.targetGroupArn)))
    .catch((err: Error) => {
      throw new Error(
        `Creating the ${idle.color} service "${idle.service}" from ${live.service}'s configuration: ${err.name}: ${err.message}`,
      );
    });
  const s = out.service!;
  return {
    color: idle.color,
    service: idle.service,
    serviceArn: s.serviceArn ?? '',
    targetGroupArn: idle.targetGroupArn,
    desiredCount: 0,
    taskDefinition: s.taskDefinition ?? live.taskDefinition,
    raw: s,
  };
}
