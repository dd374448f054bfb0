/**
 * `command: deploy` — the strategy is chosen here, once: rolling (the default) or blue-green,
 * each in its own folder under strategies/. This module turns either outcome into outputs, a
 * job summary and the failure message.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { RESTORE_TRAFFIC, runRelease } from '../release/runner.js';
import { blueGreenSummary } from '../report/blue-green-summary.js';
import { deploySummary, failureMessage, overallStatus } from '../report/deploy-summary.js';
import { nativeSummary } from '../report/native-summary.js';
import type { DeploySettings } from '../settings/settings.js';
import { deployBlueGreen, type ReleaseOutcome } from '../strategies/blue-green/deploy.js';
import { deployNative, type NativeOutcome } from '../strategies/ecs-native/deploy.js';
import { deployRolling, type ServiceOutcome } from '../strategies/rolling/deploy.js';
import { imageDigests } from '../taskdef/log.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import type { PreparedTaskDefinition } from '../taskdef/prepare.js';
import type { CommandResult } from './result.js';

export async function deployCommand(
  settings: DeploySettings,
  clients: AwsClients,
  rendered: (TaskDefinitionInput | undefined)[],
): Promise<CommandResult> {
  if (settings.strategy === 'blue-green') {
    const outcome = await runRelease(clients, RESTORE_TRAFFIC, (runner) =>
      deployBlueGreen(settings, clients, rendered[0], runner),
    );
    if (outcome.status === 'superseded' && settings.allowSuperseded) {
      core.warning(
        `Blue-green release superseded: ${outcome.reason}. Passing the step (input "allow-superseded").`,
      );
    }
    return {
      outputs: blueGreenOutputs(outcome),
      summary: blueGreenSummary(outcome, clients.region, settings.blueGreen.alarms),
      failure: blueGreenFailure(outcome, settings.allowSuperseded),
    };
  }
  if (settings.strategy === 'ecs-blue-green') {
    // ECS moves the traffic; a cancel stops its deployment with rollback at once.
    const outcome = await runRelease(
      clients,
      { undoNow: 'Stopping the ECS deployment with rollback.' },
      (runner) => deployNative(settings, clients, rendered[0], runner),
    );
    return {
      outputs: nativeOutputs(outcome),
      summary: nativeSummary(outcome, clients.region, settings.native.alarms),
      failure: nativeFailure(outcome),
    };
  }
  // A rolling deploy's undo is a deployment of its own: on cancel the post step starts it.
  const { outcomes, phaseLog, notes } = await runRelease(clients, 'exit', (runner) =>
    deployRolling(settings, clients, rendered, runner),
  );
  return {
    outputs: deployOutputs(outcomes),
    summary: deploySummary(outcomes, phaseLog.phases, notes),
    failure: failureMessage(outcomes, settings.allowSuperseded),
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
    'superseded-by': o.supersededBy?.deploymentId ?? null,
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
    'superseded-by': first.supersededBy?.deploymentId ?? '',
    results: JSON.stringify(outcomes.map(resultOf)),
  };
}

/** The outputs that name the task definition a release registered (or reused). */
function preparedOutputs(p: PreparedTaskDefinition | undefined): Record<string, string> {
  return {
    'task-definition-arn': p?.arn ?? '',
    'task-definition-family': p?.family ?? '',
    'task-definition-revision': p?.revision !== undefined ? String(p.revision) : '',
    registered: String(p?.registered ?? false),
    'image-digests': JSON.stringify(p ? imageDigests(p) : {}),
  };
}

export function blueGreenOutputs(o: ReleaseOutcome): Record<string, string> {
  const p = o.prepared;
  return {
    // One vocabulary with rolling deploys for callers that chain on it: a finished release succeeded.
    status: o.status === 'deployed' ? 'succeeded' : o.status,
    'live-color': o.liveColor ?? '',
    'previous-color': o.previousColor ?? '',
    'traffic-shifted': String(o.status === 'deployed' && o.trafficShifted),
    'rolled-back': String(o.rolledBack),
    'smoke-results': JSON.stringify(o.smoke),
    ...preparedOutputs(p),
    'previous-task-definition-arn': o.topology?.live.taskDefinition ?? '',
    'superseded-by': o.supersededBy?.deploymentId ?? '',
  };
}

export function blueGreenFailure(o: ReleaseOutcome, allowSuperseded = false): string | undefined {
  switch (o.status) {
    case 'superseded':
      return allowSuperseded
        ? undefined
        : `Blue-green release superseded (production stays on ${o.previousColor}, nothing of the newer deployment was undone): ${o.reason}. Set input "allow-superseded" to pass the step when this happens.`;
    case 'deployed':
    case 'unchanged':
    case 'dry-run':
      return undefined;
    case 'refused':
      return `Blue-green release refused: ${o.reason}`;
    case 'cancelled':
      return `Blue-green release cancelled; ${o.undo?.failed.length ? 'the post step finishes the undo' : `production is back on ${o.previousColor}`}.`;
    case 'rolled-back':
      return `Blue-green release rolled back (production on ${o.previousColor}): ${o.reason}`;
    case 'failed':
      return `Blue-green release failed: ${o.reason}`;
  }
}

/** The blue-green outputs, for one service whose two target groups ECS swaps (no colours). */
export function nativeOutputs(o: NativeOutcome): Record<string, string> {
  const p = o.prepared;
  return {
    status: o.status === 'deployed' ? 'succeeded' : o.status,
    'live-color': '',
    'previous-color': '',
    'traffic-shifted': String(o.status === 'deployed' && o.trafficShifted),
    'rolled-back': String(o.rolledBack),
    'smoke-results': JSON.stringify(o.smoke),
    ...preparedOutputs(p),
    'previous-task-definition-arn': o.setup?.taskDefinition ?? '',
  };
}

export function nativeFailure(o: NativeOutcome): string | undefined {
  switch (o.status) {
    case 'deployed':
    case 'unchanged':
    case 'dry-run':
      return undefined;
    case 'refused':
      return `ECS blue/green release refused: ${o.reason}`;
    case 'cancelled':
      return `ECS blue/green release cancelled; ${o.undo?.failed.length ? 'the post step finishes the undo' : 'ECS is rolling back to the revision that served before'}.`;
    case 'rolled-back':
      return `ECS blue/green release rolled back: ${o.reason}`;
    case 'failed':
      return `ECS blue/green release failed: ${o.reason}`;
  }
}
