/**
 * The preview's ECS service: created on the first push with the base service's network and
 * launch settings behind the preview's target group, updated in place on later pushes (a new
 * deployment of the new revision, no new rule or target group). Returns the deployment to
 * watch.
 */
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  type ECSClient,
  type Service,
  TagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { BaseService } from './base.js';
import type { PreviewNames } from './naming.js';
import { type PreviewTags, previewTags, updatedTags } from './tags.js';

/** Keep the old task serving until the new one is healthy; the breaker stops a crash loop. */
const DEPLOYMENT_CONFIGURATION = {
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  deploymentCircuitBreaker: { enable: true, rollback: true },
};

export async function describePreviewService(
  ecs: ECSClient,
  cluster: string,
  name: string,
): Promise<Service | undefined> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [name], include: ['TAGS'] }));
  const service = out.services?.[0];
  return service && service.status !== 'INACTIVE' ? service : undefined;
}

function primaryId(service: Service | undefined, what: string): string {
  const id = service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
  if (!id) throw new Error(`${what}: the answer names no PRIMARY deployment.`);
  return id;
}

export async function ensurePreviewService(
  ecs: ECSClient,
  options: {
    cluster: string;
    names: PreviewNames;
    base: BaseService;
    taskDefinitionArn: string;
    targetGroupArn: string;
    desiredCount: number;
    tags: PreviewTags;
    /** Waits for a service of the same name that is still draining from an earlier removal. */
    waitWhileDraining: () => Promise<void>;
  },
): Promise<{ serviceArn: string; deploymentId: string; created: boolean }> {
  const { cluster, names } = options;
  let existing = await describePreviewService(ecs, cluster, names.service);
  if (existing?.status === 'DRAINING') {
    await options.waitWhileDraining();
    existing = await describePreviewService(ecs, cluster, names.service);
  }
  const tags = previewTags(options.tags);
  if (existing?.status === 'ACTIVE') {
    const out = await ecs
      .send(
        new UpdateServiceCommand({
          cluster,
          service: names.service,
          taskDefinition: options.taskDefinitionArn,
          desiredCount: options.desiredCount,
          deploymentConfiguration: DEPLOYMENT_CONFIGURATION,
        }),
      )
      .catch((err: Error) => {
        throw new Error(`Updating preview service "${names.service}": ${err.name}: ${err.message}`);
      });
    await ecs.send(
      new TagResourceCommand({ resourceArn: existing.serviceArn!, tags: updatedTags(options.tags) }),
    );
    return {
      serviceArn: existing.serviceArn!,
      deploymentId: primaryId(out.service, `Updating preview service "${names.service}"`),
      created: false,
    };
  }
  if (existing) {
    throw new Error(
      `Preview service "${names.service}" is ${existing.status} (still being removed); run the preview again once it is gone.`,
    );
  }
  const base = options.base.service;
  const out = await ecs
    .send(
      new CreateServiceCommand({
        cluster,
        serviceName: names.service,
        taskDefinition: options.taskDefinitionArn,
        desiredCount: options.desiredCount,
        launchType: base.capacityProviderStrategy?.length ? undefined : base.launchType,
        capacityProviderStrategy: base.capacityProviderStrategy?.length
          ? base.capacityProviderStrategy
          : undefined,
        platformVersion: base.platformVersion,
        networkConfiguration: base.networkConfiguration,
        loadBalancers: [
          {
            targetGroupArn: options.targetGroupArn,
            containerName: options.base.containerName,
            containerPort: options.base.containerPort,
          },
        ],
        healthCheckGracePeriodSeconds: base.healthCheckGracePeriodSeconds,
        deploymentConfiguration: DEPLOYMENT_CONFIGURATION,
        propagateTags: 'SERVICE',
        tags,
      }),
    )
    .catch((err: Error) => {
      throw new Error(`Creating preview service "${names.service}": ${err.name}: ${err.message}`);
    });
  return {
    serviceArn: out.service?.serviceArn ?? '',
    deploymentId: primaryId(out.service, `Creating preview service "${names.service}"`),
    created: true,
  };
}
