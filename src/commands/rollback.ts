/**
 * `command: rollback` — return a service to an earlier revision: by default the last known good
 * one before the live revision, from the deployment history on the service. The rollback is
 * deployed and watched like any deploy, with the same failure reporting; when it fails, the
 * service is left on (or returned to) what was live. A required reason is shown in the summary
 * and recorded in the history.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { type Diagnosis, describeStoppedTask, diagnoseDeployment, rootCause } from '../deploy/diagnose.js';
import { shortArn } from '../deploy/outcome.js';
import { startDeployment } from '../deploy/update.js';
import { type FinalVerdict, watchDeployments } from '../deploy/watch.js';
import { watchOptionsFrom } from '../deploy/watch-options.js';
import { entryForThisRun, familyRevision, recordHistory } from '../history/history.js';
import { details, table } from '../report/markdown.js';
import { PhaseLog } from '../report/phases.js';
import { rollbackBlueGreen } from '../rollback/blue-green.js';
import { resolveRollbackTarget } from '../rollback/resolve-target.js';
import { SettingsError } from '../settings/errors.js';
import type { ServiceTarget, Settings } from '../settings/settings.js';
import { formatDuration } from '../settings/values.js';
import type { CommandResult } from './result.js';

type Method = 'redeploy' | 'traffic-switch';

export async function rollbackCommand(settings: Settings, clients: AwsClients): Promise<CommandResult> {
  if (settings.targets.length !== 1) {
    throw new SettingsError(
      'Command "rollback" acts on one service: set input "service" (not a list in "services").',
    );
  }
  if (settings.strategy === 'blue-green') return rollbackBlueGreen(settings, clients);
  const target = settings.targets[0]!;
  const reason = settings.rollback.reason!;
  const phases = new PhaseLog();
  const started = Date.now();

  const resolved = await phases.run('Find the rollback target', async () => {
    const r = await resolveRollbackTarget(clients.ecs, target.cluster, target.service, settings.rollback.to);
    core.info(`${target.service}: live ${shortArn(r.liveArn)}; rolling back to ${shortArn(r.targetArn)}.`);
    core.info(`Reason: ${reason}`);
    return r;
  });
  const method: Method = 'redeploy';
  const base = { from: resolved.liveArn, to: resolved.targetArn, reason, method, target };

  if (settings.dryRun) {
    return report({ ...base, status: 'dry-run', phases, started });
  }

  const watch = (deploymentId: string) =>
    watchDeployments(
      clients.ecs,
      [{ cluster: target.cluster, service: target.service, deploymentId }],
      watchOptionsFrom(settings),
    ).then((results) => results[0]!.verdict);

  const deployment = await phases.run(`Deploy ${shortArn(resolved.targetArn)}`, async () => {
    const d = await startDeployment(clients.ecs, target, resolved.targetArn, {
      rolling: settings.rolling,
      forceNewDeployment: false,
    });
    core.info(`Deployment ${d.deploymentId} started.`);
    return { id: d.deploymentId, verdict: await watch(d.deploymentId) };
  });

  if (deployment.verdict.state === 'succeeded') {
    await phases.run('Record history', () =>
      recordHistory(
        clients.ecs,
        resolved.serviceArn,
        entryForThisRun(resolved.targetArn, { replacedArn: resolved.liveArn, reason }),
      ),
    );
    return report({ ...base, status: 'succeeded', phases, started });
  }

  // The rollback itself failed: say why, and make sure what was live before serves again.
  const failed = deployment.verdict as Extract<FinalVerdict, { state: 'failed' }>;
  const diagnosis = await phases.run('Diagnose', () =>
    diagnoseDeployment(clients.ecs, target.cluster, target.service, deployment.id),
  );
  for (const line of rootCause(diagnosis)) core.info(line);
  let restored: 'by-ecs' | 'by-action' | 'failed';
  if (failed.ecsRollback) {
    restored = 'by-ecs';
    await phases.run(`Follow ECS back to ${shortArn(resolved.liveArn)}`, () =>
      watch(failed.ecsRollback!.deploymentId),
    );
  } else {
    restored = await phases.run(`Restore ${shortArn(resolved.liveArn)}`, async () => {
      const back = await startDeployment(clients.ecs, target, resolved.liveArn, {
        rolling: settings.rolling,
        forceNewDeployment: false,
      });
      const verdict = await watch(back.deploymentId);
      return verdict.state === 'succeeded' ? 'by-action' : 'failed';
    });
  }
  return report({ ...base, status: 'failed', phases, started, failure: failed.reason, diagnosis, restored });
}

interface Report {
  target: ServiceTarget;
  from: string;
  to: string;
  reason: string;
  method: Method;
  status: 'succeeded' | 'failed' | 'dry-run';
  phases: PhaseLog;
  started: number;
  failure?: string;
  diagnosis?: Diagnosis;
  restored?: 'by-ecs' | 'by-action' | 'failed';
}

function report(r: Report): CommandResult {
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
