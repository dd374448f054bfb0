/**
 * First release on a setup that has only one service: the idle side is created as a true copy
 * of the live service — every field CreateService accepts, read from the service and from its
 * PRIMARY deployment (DescribeServices returns service connect and volume configurations only
 * there) — with the idle target group and 0 tasks. What cannot be copied faithfully is refused
 * before anything changes, instead of creating a service that differs. The user provides the
 * idle target group, wired into the production forward action (weight 0): ECS attaches a
 * service only to a target group that a load balancer already uses.
 */
import { CreateServiceCommand, type CreateServiceCommandInput, type Service } from '@aws-sdk/client-ecs';
import { targetGroupName } from '../../aws/arn.js';
import type { AwsClients } from '../../aws/clients.js';
import { RefusedError } from './errors.js';
import type { Color, Side } from './topology.js';

/** Tags that describe one service's own state, not its configuration; `aws:` ones are AWS's. */
const NOT_COPIED_TAGS = /^(deploy-action:|aws:)/i;

export function idleServiceInput(
  live: Service,
  cluster: string,
  name: string,
  targetGroupArn: string,
  liveTargetGroupArn?: string,
): CreateServiceCommandInput {
  const problems: string[] = [];
  const primary = live.deployments?.find((d) => d.status === 'PRIMARY');
  const capacityProviders = live.capacityProviderStrategy?.length ? live.capacityProviderStrategy : undefined;
  const tags = (live.tags ?? []).filter((t) => !NOT_COPIED_TAGS.test(t.key ?? ''));
  const liveGroups = new Set((live.loadBalancers ?? []).map((lb) => lb.targetGroupArn));
  const loadBalancers = (live.loadBalancers ?? []).map((lb) => {
    if (!lb.targetGroupArn) {
      problems.push(
        `a Classic Load Balancer entry (${lb.loadBalancerName}) cannot be given a second service`,
      );
      return lb;
    }
    // The live side's own group maps to the idle side's; with one group there is nothing else.
    if (lb.targetGroupArn === liveTargetGroupArn || liveGroups.size === 1) return { ...lb, targetGroupArn };
    problems.push(
      `its load balancer entry for ${targetGroupName(lb.targetGroupArn)} (container ${lb.containerName}:${lb.containerPort}) has no ${name} counterpart: one target group per colour is all a release moves`,
    );
    return lb;
  });
  const connect = primary?.serviceConnectConfiguration;
  if (connect?.enabled && connect.services?.length) {
    problems.push(
      'it publishes Service Connect endpoints (serviceConnectConfiguration.services): a copy would publish the same names from the idle side',
    );
  }
  if (live.schedulingStrategy === 'DAEMON') problems.push('it uses the DAEMON scheduling strategy');
  if (problems.length) {
    throw new RefusedError(
      `Cannot create ${name} as a copy of ${live.serviceName}: ${problems.join('; ')}. Nothing was changed. Create ${name} yourself (0 tasks, attached to its target group) and run again.`,
    );
  }
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
    loadBalancers,
    serviceRegistries: live.serviceRegistries?.length ? live.serviceRegistries : undefined,
    healthCheckGracePeriodSeconds: live.healthCheckGracePeriodSeconds,
    deploymentConfiguration: live.deploymentConfiguration,
    deploymentController: live.deploymentController,
    schedulingStrategy: live.schedulingStrategy,
    placementConstraints: live.placementConstraints?.length ? live.placementConstraints : undefined,
    placementStrategy: live.placementStrategy?.length ? live.placementStrategy : undefined,
    role: live.roleArn,
    enableECSManagedTags: live.enableECSManagedTags,
    propagateTags: live.propagateTags,
    enableExecuteCommand: live.enableExecuteCommand,
    availabilityZoneRebalancing: live.availabilityZoneRebalancing,
    serviceConnectConfiguration: connect,
    volumeConfigurations: primary?.volumeConfigurations?.length ? primary.volumeConfigurations : undefined,
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
    .send(
      new CreateServiceCommand(
        idleServiceInput(live.raw, cluster, idle.service, idle.targetGroupArn, live.targetGroupArn),
      ),
    )
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
