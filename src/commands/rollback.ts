/**
 * `command: rollback` — return a service to an earlier revision: by default the last known good
 * one before the live revision, from the deployment history on the service. The strategy is
 * chosen here, once; each strategy folder has its own rollback. A required reason is shown in
 * the summary and recorded in the history.
 */

import { familyRevision } from '../aws/arn.js';
import type { AwsClients } from '../aws/clients.js';
import { describeStoppedTask, rootCause } from '../aws/diagnose.js';
import { RESTORE_TRAFFIC, runRelease } from '../release/runner.js';
import { blueGreenModel } from '../report/blue-green-summary.js';
import { renderSummary, summary } from '../report/summary.js';
import { SettingsError } from '../settings/errors.js';
import type { RollbackSettings } from '../settings/settings.js';
import { formatDuration } from '../settings/values.js';
import type { BlueGreenRollback } from '../strategies/blue-green/rollback.js';
import { rollbackBlueGreen } from '../strategies/blue-green/rollback.js';
import { rollbackNative } from '../strategies/ecs-native/rollback.js';
import type { RollingRollback } from '../strategies/rolling/rollback.js';
import { rollbackRolling } from '../strategies/rolling/rollback.js';
import { blueGreenFailure, blueGreenOutputs } from './deploy.js';
import type { CommandResult } from './result.js';

export async function rollbackCommand(
  settings: RollbackSettings,
  clients: AwsClients,
): Promise<CommandResult> {
  if (settings.targets.length !== 1) {
    throw new SettingsError(
      'Command "rollback" acts on one service: set input "service" (not a list in "services").',
    );
  }
  if (settings.strategy === 'blue-green') {
    // Production traffic moves: a cancel puts it back at once.
    const r = await runRelease(clients, RESTORE_TRAFFIC, (runner) =>
      rollbackBlueGreen(settings, clients, runner),
    );
    return r.method === 'traffic-switch'
      ? switchResult(r)
      : redeployResult(r, clients.region, settings.blueGreen.alarms);
  }
  if (settings.strategy === 'ecs-blue-green') {
    return report(await runRelease(clients, 'exit', (runner) => rollbackNative(settings, clients, runner)));
  }
  return report(await runRelease(clients, 'exit', (runner) => rollbackRolling(settings, clients, runner)));
}

function report(r: RollingRollback): CommandResult {
  const from = familyRevision(r.from);
  const to = familyRevision(r.to);
  const live = r.status === 'succeeded' ? r.to : r.restored === 'failed' ? '' : r.from;
  const headline =
    r.status === 'succeeded'
      ? `**${r.target.service}** rolled back from **${from}** to **${to}** in ${formatDuration(Date.now() - r.started)}.`
      : r.status === 'dry-run'
        ? `Dry run: **${r.target.service}** would be rolled back from **${from}** to **${to}**; nothing was changed.`
        : `Rollback of **${r.target.service}** to **${to}** failed: ${r.failure}. ${
            r.restored === 'failed'
              ? `Returning to ${from} failed too: the service needs attention.`
              : `The service is back on **${from}** (${r.restored === 'by-ecs' ? 'ECS rolled back' : 'restored by the action'}).`
          }`;
  const s = summary('Rollback', r.status, headline);
  s.reason = r.reason;
  s.services = [
    {
      service: r.target.service,
      outcome: r.status,
      outcomeText: r.status === 'succeeded' ? `rolled back (${r.method})` : r.status,
      revision: to,
      previous: from,
    },
  ];
  s.sides = [
    {
      side: r.target.service,
      before: from,
      after: r.status === 'succeeded' ? to : r.restored === 'failed' ? 'unknown: needs attention' : from,
    },
  ];
  s.phases = r.phases.phases;
  if (r.diagnosis) {
    const causes = rootCause(r.diagnosis).map((l) => `- ${l}`);
    const stopped = r.diagnosis.stoppedTasks.map((t) => `- ${describeStoppedTask(t)}`);
    s.sections.push({
      heading: 'Why it failed',
      body: [...causes, ...stopped].join('\n') || 'No stopped tasks found.',
    });
  }
  return {
    outputs: {
      'task-definition-arn': live,
      'rolled-back-from': r.status === 'succeeded' ? r.from : '',
      method: r.method,
      status: r.status,
    },
    summary: renderSummary(s),
    failure:
      r.status === 'failed'
        ? `Rollback of "${r.target.service}" to ${to} failed: ${r.failure}. ${
            r.restored === 'failed' ? `Returning to ${from} failed too.` : `The service is back on ${from}.`
          }`
        : undefined,
  };
}

function switchResult(r: Extract<BlueGreenRollback, { method: 'traffic-switch' }>): CommandResult {
  const { topology: t, liveArn, targetArn, reason, started, status } = r;
  const took = formatDuration(Date.now() - started);
  const headline =
    status === 'succeeded'
      ? `**${t.live.service}** rolled back by switching production traffic to **${t.idle.color}** (${familyRevision(targetArn)}) in ${took}. ${t.live.service} (${familyRevision(liveArn)}) keeps running for a switch forward; the next release replaces it.`
      : `Dry run: production traffic would move from ${t.live.color} to **${t.idle.color}** (${familyRevision(targetArn)}); nothing was changed.`;
  return {
    outputs: {
      'task-definition-arn': status === 'succeeded' ? targetArn : liveArn,
      'rolled-back-from': status === 'succeeded' ? liveArn : '',
      method: 'traffic-switch',
      status,
      'live-color': status === 'succeeded' ? t.idle.color : t.live.color,
      'previous-color': t.live.color,
    },
    summary: renderSummary({
      ...summary('Rollback', status, headline),
      reason,
      services: [
        {
          service: `${t.live.service} → ${t.idle.service}`,
          outcome: status,
          outcomeText: status === 'succeeded' ? 'rolled back (traffic switch)' : status,
          revision: familyRevision(targetArn),
          previous: familyRevision(liveArn),
          durationMs: Date.now() - started,
        },
      ],
      sides: [
        {
          side: `${t.live.color}: ${t.live.service}`,
          before: `live, ${familyRevision(liveArn)}`,
          after: status === 'succeeded' ? 'idle: kept running for a switch forward' : 'unchanged',
        },
        {
          side: `${t.idle.color}: ${t.idle.service}`,
          before: `idle, ${familyRevision(targetArn)}`,
          after: status === 'succeeded' ? `live: ${familyRevision(targetArn)}` : 'unchanged',
        },
      ],
    }),
  };
}

function redeployResult(
  r: Extract<BlueGreenRollback, { method: 'redeploy' }>,
  region: string,
  alarms: string[],
): CommandResult {
  const { liveArn, targetArn, reason, started, release } = r;
  const outputs = blueGreenOutputs(release);
  const failure = blueGreenFailure(release);
  const deployed = outputs.status === 'succeeded';
  return {
    outputs: {
      ...outputs,
      'task-definition-arn': deployed ? targetArn : liveArn,
      'rolled-back-from': deployed ? liveArn : '',
      method: 'redeploy',
    },
    summary: renderSummary({
      ...blueGreenModel(release, region, alarms),
      title: 'Rollback',
      headline: deployed
        ? `Rolled back from **${familyRevision(liveArn)}** to **${familyRevision(targetArn)}** by a blue-green release in ${formatDuration(Date.now() - started)}.`
        : `Rollback to **${familyRevision(targetArn)}** did not complete; production stays on **${familyRevision(liveArn)}**.`,
      reason,
    }),
    failure: failure ? `Rollback to ${familyRevision(targetArn)}: ${failure}` : undefined,
  };
}
