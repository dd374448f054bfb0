/**
 * `command: rollback` — return a service to an earlier revision: by default the last known good
 * one before the live revision, from the deployment history on the service. The strategy is
 * chosen here, once; each strategy folder has its own rollback. A required reason is shown in
 * the summary and recorded in the history.
 */
import type { AwsClients } from '../aws/clients.js';
import { describeStoppedTask, rootCause } from '../aws/diagnose.js';
import { familyRevision } from '../history/history.js';
import { blueGreenSummary } from '../report/blue-green-summary.js';
import { details, table } from '../report/markdown.js';
import { SettingsError } from '../settings/errors.js';
import type { RollbackSettings } from '../settings/settings.js';
import { formatDuration } from '../settings/values.js';
import type { BlueGreenRollback } from '../strategies/blue-green/rollback.js';
import { rollbackBlueGreen } from '../strategies/blue-green/rollback.js';
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
    const r = await rollbackBlueGreen(settings, clients);
    return r.method === 'traffic-switch'
      ? switchResult(r)
      : redeployResult(r, clients.region, settings.blueGreen.alarms);
  }
  return report(await rollbackRolling(settings, clients));
}

function report(r: RollingRollback): CommandResult {
  const from = familyRevision(r.from);
  const to = familyRevision(r.to);
  const live = r.status === 'succeeded' ? r.to : r.restored === 'failed' ? '' : r.from;
  const headline =
    r.status === 'succeeded'
      ? `✅ **${r.target.service}** rolled back from **${from}** to **${to}** in ${formatDuration(Date.now() - r.started)}.`
      : r.status === 'dry-run'
        ? `Dry run: **${r.target.service}** would be rolled back from **${from}** to **${to}**; nothing was changed.`
        : `❌ Rollback of **${r.target.service}** to **${to}** failed: ${r.failure}. ${
            r.restored === 'failed'
              ? `Returning to ${from} failed too: the service needs attention.`
              : `The service is back on **${from}** (${r.restored === 'by-ecs' ? 'ECS rolled back' : 'restored by the action'}).`
          }`;
  const phases = table(
    ['Phase', 'Duration', 'Result'],
    r.phases.phases.map((p) => [p.name, formatDuration(p.durationMs), p.ok ? 'ok' : 'failed']),
  );
  const why = r.diagnosis
    ? details(
        'Why it failed',
        rootCause(r.diagnosis)
          .map((l) => `- ${l}`)
          .join('\n') || 'No stopped tasks found.',
      )
    : '';
  const stopped = r.diagnosis?.stoppedTasks.length
    ? r.diagnosis.stoppedTasks.map((t) => `- ${describeStoppedTask(t)}`).join('\n')
    : '';
  const summary = [
    '## Rollback',
    headline,
    `**Reason:** ${r.reason}`,
    table(['Service', 'From', 'To', 'Method'], [[r.target.service, from, to, r.method]]),
    phases,
    why,
    stopped,
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    outputs: {
      'task-definition-arn': live,
      'rolled-back-from': r.status === 'succeeded' ? r.from : '',
      method: r.method,
      status: r.status,
    },
    summary,
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
      ? `✅ **${t.live.service}** rolled back by switching production traffic to **${t.idle.color}** (${familyRevision(targetArn)}) in ${took}. ${t.live.service} (${familyRevision(liveArn)}) keeps running for a switch forward; the next release replaces it.`
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
    summary: [
      '## Rollback',
      headline,
      `**Reason:** ${reason}`,
      table(
        ['Service', 'From', 'To', 'Method', 'Took'],
        [
          [
            `${t.live.service} → ${t.idle.service}`,
            familyRevision(liveArn),
            familyRevision(targetArn),
            'traffic-switch',
            took,
          ],
        ],
      ),
    ].join('\n\n'),
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
    summary: [
      '## Rollback',
      deployed
        ? `✅ Rolled back from **${familyRevision(liveArn)}** to **${familyRevision(targetArn)}** by a blue-green release in ${formatDuration(Date.now() - started)}.`
        : `❌ Rollback to **${familyRevision(targetArn)}** did not complete; production stays on **${familyRevision(liveArn)}**.`,
      `**Reason:** ${reason}`,
      blueGreenSummary(release, region, alarms),
    ].join('\n\n'),
    failure: failure ? `Rollback to ${familyRevision(targetArn)}: ${failure}` : undefined,
  };
}
