/** Set-up shared by the rolling-deploy scenarios: ECR images and steady services to deploy onto. */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { createSteadyService, registerWeb } from '../sim/ecs/testing.js';
import type { Simulator } from '../sim/index.js';

export interface LiveService {
  cluster: string;
  service: string;
  /** The revision the service runs before the deploy. */
  v1: string;
  /** Repository URI: deploy `${repo}:v2` (healthy), `${repo}:crash` (crash loop) or `${repo}:unhealthy`. */
  repo: string;
}

/** A service on `${repo}:v1`, steady, with `v2`, `v3`, `crash` and `unhealthy` pushed to ECR. */
export async function liveService(
  sim: Simulator,
  ecs: ECSClient,
  options: { cluster: string; service: string; desiredCount?: number; healthCheck?: boolean },
): Promise<LiveService> {
  const image = sim.ecr.putImage(options.service, 'v1');
  for (const tag of ['v2', 'v3', 'crash', 'unhealthy']) sim.ecr.putImage(options.service, tag);
  const v1 = await registerWeb(ecs, options.service, `${image.repositoryUri}:v1`, {
    healthCheck: options.healthCheck,
  });
  await createSteadyService(sim, ecs, {
    cluster: options.cluster,
    service: options.service,
    taskDefinition: v1,
    desiredCount: options.desiredCount ?? 2,
  });
  return { cluster: options.cluster, service: options.service, v1, repo: image.repositoryUri };
}

/** Inputs every rolling scenario uses: fast polling, so simulated minutes take wall milliseconds. */
export const FAST = { 'poll-interval': '100ms', timeout: '60s' };
