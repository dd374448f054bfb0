/**
 * Rollback of a blue-green service. When the idle side still runs the target revision and all
 * its targets are healthy, the rollback is one listener change: production weights move back
 * in a single ModifyListener, in seconds, while the side rolled back from keeps running. Any
 * other case deploys the target revision through the normal blue-green release (smoke tests
 * and alarm watch included).
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { allHealthy, describeHealth, readTargetHealth } from '../checks/health.js';
import { blueGreenCommand } from '../commands/blue-green.js';
import type { CommandResult } from '../commands/result.js';
import { readTopology, type Topology } from '../deploy/blue-green-topology.js';
import { shortArn } from '../deploy/outcome.js';
import { describeWeights, setWeights } from '../deploy/traffic.js';
import { entryForThisRun, familyRevision, readHistory, recordHistory } from '../history/history.js';
import { table } from '../report/markdown.js';
import type { Settings } from '../settings/settings.js';
import { formatDuration } from '../settings/values.js';
import { resolveRevision } from './resolve-target.js';

export async function rollbackBlueGreen(settings: Settings, clients: AwsClients): Promise<CommandResult> {
  const bg = settings.blueGreen!;
  const target = settings.targets[0]!;
  const reason = settings.rollback.reason!;
  const started = Date.now();

  const plan = await core.group('Find the rollback target', async () => {
    const topology = await readTopology(clients, target.cluster, bg);
    const liveArn = topology.live.taskDefinition;
    // The history of a blue-green pair lives on its blue service, whichever colour is live.
    const history = await readHistory(clients.ecs, topology.blue.serviceArn);
    const { targetArn } = await resolveRevision(
      clients.ecs,
      settings.rollback.to,
      liveArn,
      history,
      topology.live.service,
    );
    const idle = topology.idle;
    const health =
      idle.taskDefinition === targetArn && idle.desiredCount > 0
        ? await readTargetHealth(clients.elb, idle.targetGroupArn)
        : undefined;
    const switchable = !!health && allHealthy(health, idle.desiredCount);
    core.info(
      `Live: ${topology.live.color} on ${shortArn(liveArn)}; rolling back to ${shortArn(targetArn)}. Reason: ${reason}`,
    );
    core.info(
      switchable
        ? `${idle.service} (${idle.color}) still runs ${shortArn(targetArn)} with ${describeHealth(health!)}: one listener change.`
        : `${idle.service} (${idle.color}) does not serve ${shortArn(targetArn)} healthily; deploying it through the blue-green release.`,
    );
    return { topology, liveArn, targetArn, switchable };
  });

  if (!plan.switchable) return redeploy(settings, clients, plan.liveArn, plan.targetArn, reason, started);
  if (settings.dryRun) {
    return switchResult(plan.topology, plan.liveArn, plan.targetArn, reason, started, 'dry-run');
  }

  const { topology } = plan;
  const weights = {
    ...topology.weights,
    [topology.idle.targetGroupArn]: 100,
    [topology.live.targetGroupArn]: 0,
  };
  await core.group('Switch production traffic', async () => {
    await setWeights(clients.elb, bg.listener, weights);
    core.info(`Production: ${describeWeights(weights)} (${topology.idle.color} live again).`);
  });
  await core.group('Record history', () =>
    recordHistory(
      clients.ecs,
      topology.blue.serviceArn,
      entryForThisRun(plan.targetArn, { replacedArn: plan.liveArn, reason }),
    ),
  );
  return switchResult(topology, plan.liveArn, plan.targetArn, reason, started, 'succeeded');
}

function switchResult(
  t: Topology,
  liveArn: string,
  targetArn: string,
  reason: string,
  started: number,
  status: 'succeeded' | 'dry-run',
): CommandResult {
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

/** Deploy the target revision as a release: the idle side gets it, smoke tests and alarms gate the switch. */
async function redeploy(
  settings: Settings,
  clients: AwsClients,
  liveArn: string,
  targetArn: string,
  reason: string,
  started: number,
): Promise<CommandResult> {
  const target = settings.targets[0]!;
  const release: Settings = {
    ...settings,
    command: 'deploy',
    targets: [
      {
        ...target,
        taskDefinition: { kind: 'existing', ref: targetArn },
        overrides: { images: [], environment: [], secrets: [] },
      },
    ],
  };
  const result = await blueGreenCommand(release, clients, [undefined]);
  const deployed = result.outputs.status === 'succeeded';
  if (deployed) {
    const topology = await readTopology(clients, target.cluster, settings.blueGreen!);
    await recordHistory(
      clients.ecs,
      topology.blue.serviceArn,
      entryForThisRun(targetArn, { replacedArn: liveArn, reason }),
    );
  }
  return {
    outputs: {
      ...result.outputs,
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
      result.summary,
    ].join('\n\n'),
    failure: result.failure ? `Rollback to ${familyRevision(targetArn)}: ${result.failure}` : undefined,
  };
}
