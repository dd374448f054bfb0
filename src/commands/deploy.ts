/**
 * `command: deploy` — dispatch on the strategy. Rolling is the default; blue-green lives in
 * its own module (`blue-green.ts`).
 */
import type { AwsClients } from '../aws/clients.js';
import { deployRolling, type ServiceOutcome } from '../deploy/rolling.js';
import { deploySummary, failureMessage, overallStatus } from '../report/deploy-summary.js';
import type { Settings } from '../settings/settings.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import { blueGreenCommand } from './blue-green.js';
import { imageDigests } from './register.js';
import type { CommandResult } from './result.js';

export async function deployCommand(
  settings: Settings,
  clients: AwsClients,
  rendered: (TaskDefinitionInput | undefined)[],
): Promise<CommandResult> {
  if (settings.strategy === 'blue-green') return blueGreenCommand(settings, clients, rendered);
  const { outcomes, phaseLog } = await deployRolling(settings, clients, rendered);
  return {
    outputs: deployOutputs(outcomes),
    summary: deploySummary(outcomes, phaseLog.phases),
    failure: failureMessage(outcomes),
  };
}

/** Per-service results, stable field names for callers that parse the `results` output. */
export function resultOf(o: ServiceOutcome) {
  return {
    cluster: o.target.cluster,
    service: o.target.service,
    status: o.status,
    'deployment-id': o.deploymentId ?? null,
    'task-definition-arn': o.prepared.arn ?? null,
    'previous-task-definition-arn': o.prepared.previousArn ?? null,
    'image-digests': imageDigests(o.prepared),
    'rolled-back': o.rollback !== undefined && o.rollback.outcome !== 'failed',
    'rolled-back-by': o.rollback?.by ?? null,
    'rollback-outcome': o.rollback?.outcome ?? null,
    reason: o.reason ?? null,
    'duration-ms': o.finishedAt - o.startedAt,
  };
}

export function deployOutputs(outcomes: ServiceOutcome[]): Record<string, string> {
  // Single-value outputs describe the first service (the only one in the common case);
  // `results` holds every service.
  const first = outcomes[0]!;
  const p = first.prepared;
  return {
    status: overallStatus(outcomes),
    'deployment-id': first.deploymentId ?? '',
    'task-definition-arn': p.arn ?? '',
    'task-definition-family': p.family,
    'task-definition-revision': p.revision !== undefined ? String(p.revision) : '',
    registered: String(p.registered),
    'image-digests': JSON.stringify(imageDigests(p)),
    'previous-task-definition-arn': p.previousArn ?? '',
    'rolled-back': String(outcomes.some((o) => resultOf(o)['rolled-back'])),
    results: JSON.stringify(outcomes.map(resultOf)),
  };
}
