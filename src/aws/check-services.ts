/**
 * Before anything is registered or updated: every target service must exist and be ACTIVE, and
 * pass the pre-flight checks (`preflight.ts`). A typo in one of ten service names must change
 * nothing, not deploy the other nine.
 */
import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import type { ServiceTarget } from '../settings/settings.js';
import { serviceName } from './arn.js';
import { preflightMessage, preflightProblems } from './preflight.js';
import { batchTargets } from './watch.js';

export async function checkServicesExist(
  ecs: ECSClient,
  targets: ServiceTarget[],
): Promise<Map<string, Service>> {
  const found = new Map<string, Service>();
  const missing: string[] = [];
  const batches = batchTargets(
    targets.map((t) => ({ cluster: t.cluster, service: t.service, deploymentId: '' })),
  );
  for (const batch of batches) {
    const cluster = batch[0]!.cluster;
    const out = await ecs
      .send(
        new DescribeServicesCommand({ cluster, services: batch.map((t) => t.service), include: ['TAGS'] }),
      )
      .catch((err: Error) => {
        if (err instanceof ClusterNotFoundException) {
          throw new Error(
            `Cluster "${cluster}" was not found (input "cluster"). Expected: an existing ECS cluster.`,
          );
        }
        throw new Error(`Reading services in cluster "${cluster}": ${err.name}: ${err.message}`);
      });
    for (const t of batch) {
      const service = out.services?.find((s) => s.serviceName === serviceName(t.service));
      if (service?.status !== 'ACTIVE') {
        missing.push(
          `"${serviceName(t.service)}"${service ? ` (${service.status})` : ''} in cluster "${cluster}"`,
        );
      } else {
        found.set(`${cluster}/${serviceName(t.service)}`, service);
      }
    }
  }
  if (missing.length) {
    throw new Error(
      `Service${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found or not active (inputs "service"/"services", "cluster"). Nothing was changed.`,
    );
  }
  const problems = [...found.values()].flatMap((s) => preflightProblems(s, { history: true }));
  if (problems.length) throw new Error(preflightMessage(problems));
  return found;
}
