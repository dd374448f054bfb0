/**
 * What a preview copies from the base service: its task definition, network and launch
 * settings, the container and port behind its load balancer, and its target group's protocol,
 * port, VPC and health check. A preview is a small copy of something that already works.
 */
import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand, type TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../aws/clients.js';

export interface BaseService {
  service: Service;
  taskDefinitionArn: string;
  containerName: string;
  containerPort: number;
  targetGroup: TargetGroup;
}

export async function readBaseService(
  clients: AwsClients,
  cluster: string,
  name: string,
): Promise<BaseService> {
  const where = `base service "${name}" in cluster "${cluster}" (inputs "service", "cluster")`;
  const out = await clients.ecs
    .send(new DescribeServicesCommand({ cluster, services: [name] }))
    .catch((err: Error) => {
      throw new Error(`Reading the ${where}: ${err.name}: ${err.message}`);
    });
  const service = out.services?.[0];
  if (service?.status !== 'ACTIVE') {
    throw new Error(
      `The ${where} was not found (${out.failures?.[0]?.reason ?? service?.status ?? 'missing'}).`,
    );
  }
  const lb = service.loadBalancers?.find((l) => l.targetGroupArn);
  if (!lb?.targetGroupArn || !lb.containerName || !lb.containerPort) {
    throw new Error(
      `The ${where} has no load balancer target group: a preview copies the container, port and health check of the base service's target group.`,
    );
  }
  const tg = await clients.elb
    .send(new DescribeTargetGroupsCommand({ TargetGroupArns: [lb.targetGroupArn] }))
    .catch((err: Error) => {
      throw new Error(
        `Reading target group ${lb.targetGroupArn} of the ${where}: ${err.name}: ${err.message}`,
      );
    });
  const targetGroup = tg.TargetGroups?.[0];
  if (!targetGroup) throw new Error(`Target group ${lb.targetGroupArn} of the ${where} was not found.`);
  return {
    service,
    taskDefinitionArn: service.taskDefinition!,
    containerName: lb.containerName,
    containerPort: lb.containerPort,
    targetGroup,
  };
}
