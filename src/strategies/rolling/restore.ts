/**
 * Rollback on failure: put a service back on the revision that was live before this run, with
 * the same deployment configuration, so the watcher can follow the rollback like any deploy.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { type StartedDeployment, startDeployment } from '../../aws/update-service.js';
import type { RollingSettings, ServiceTarget } from '../../settings/settings.js';

export async function restorePreviousRevision(
  ecs: ECSClient,
  target: ServiceTarget,
  previousArn: string,
  rolling: RollingSettings,
): Promise<StartedDeployment> {
  try {
    return await startDeployment(ecs, target, previousArn, { rolling, forceNewDeployment: false });
  } catch (err) {
    throw new Error(`Rolling back "${target.service}" to ${previousArn}: ${(err as Error).message}`);
  }
}
