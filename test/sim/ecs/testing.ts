/** Helpers for tests that drive the ECS simulator through the real SDK. */
import { ECRClient } from '@aws-sdk/client-ecr';
import { type DeploymentConfiguration, ECSClient, type LoadBalancer } from '@aws-sdk/client-ecs';
import type { Simulator } from '../index.js';

const credentials = { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' };

/** An SDK client config aimed at the simulator (no retries unless asked: tests want to see errors). */
export function clientConfig(sim: Simulator, maxAttempts = 1) {
  return { endpoint: sim.endpoint, region: 'us-east-1', credentials, maxAttempts };
}

export function ecsClient(sim: Simulator, maxAttempts = 1): ECSClient {
  return new ECSClient(clientConfig(sim, maxAttempts));
}

export function ecrClient(sim: Simulator, maxAttempts = 1): ECRClient {
  return new ECRClient(clientConfig(sim, maxAttempts));
}

/**
 * Register a one-container web task definition running `image`; returns its ARN. `omitProtocol`
 * leaves the port mapping's protocol unset, as a hand-written definition usually does.
 */
export async function registerWeb(
  ecs: ECSClient,
  family: string,
  image: string,
  extra: { healthCheck?: boolean; omitProtocol?: boolean } = {},
): Promise<string> {
  const { RegisterTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image,
          essential: true,
          portMappings: [
            { containerPort: 8080, ...(extra.omitProtocol ? {} : { protocol: 'tcp' as const }) },
          ],
          ...(extra.healthCheck
            ? { healthCheck: { command: ['CMD-SHELL', 'curl -f localhost:8080/'], interval: 10, retries: 3 } }
            : {}),
        },
      ],
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}

/** Create a cluster and a service on `taskDefinition`, and wait until the simulator calls it steady. */
export async function createSteadyService(
  sim: Simulator,
  ecs: ECSClient,
  options: {
    cluster: string;
    service: string;
    taskDefinition: string;
    desiredCount: number;
    deploymentConfiguration?: DeploymentConfiguration;
    loadBalancers?: LoadBalancer[];
    healthCheckGracePeriodSeconds?: number;
  },
): Promise<void> {
  const { CreateClusterCommand, CreateServiceCommand } = await import('@aws-sdk/client-ecs');
  await ecs.send(new CreateClusterCommand({ clusterName: options.cluster }));
  await ecs.send(
    new CreateServiceCommand({
      cluster: options.cluster,
      serviceName: options.service,
      taskDefinition: options.taskDefinition,
      desiredCount: options.desiredCount,
      launchType: 'FARGATE',
      deploymentConfiguration: options.deploymentConfiguration,
      loadBalancers: options.loadBalancers,
      healthCheckGracePeriodSeconds: options.healthCheckGracePeriodSeconds,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
      },
    }),
  );
  await sim.ecs.waitForSteady(options.cluster, options.service, { timeoutMs: 15_000 });
}
