/**
 * `command: deploy` with `strategy: blue-green`: runs the release with cancellation armed (the
 * first SIGINT/SIGTERM restores production traffic at once, in parallel with the release
 * noticing), then turns the outcome into outputs and a job summary.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { type ReleaseOutcome, releaseBlueGreen } from '../deploy/blue-green.js';
import { entryForThisRun, recordHistory } from '../history/history.js';
import { watchForCancel } from '../journal/cancel.js';
import { Journal } from '../journal/journal.js';
import { alarmUrl, link, serviceUrl, targetGroupUrl } from '../report/console-links.js';
import { codeBlock, table } from '../report/markdown.js';
import type { Settings } from '../settings/settings.js';
import { formatDuration } from '../settings/values.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import { imageDigests } from './register.js';
import type { CommandResult } from './result.js';

export async function blueGreenCommand(
  settings: Settings,
  clients: AwsClients,
  rendered: (TaskDefinitionInput | undefined)[],
): Promise<CommandResult> {
  const journal = new Journal(clients);
  const cancel = watchForCancel((err) => {
    core.warning(
      `${err.message} Restoring production traffic to the side that served it before the release.`,
    );
    // Do not wait for the release to notice: the runner kills the step 10 s after SIGINT.
    void journal.undo(core.info);
  });
  let outcome: ReleaseOutcome;
  try {
    outcome = await releaseBlueGreen(settings, clients, rendered[0], journal, cancel.signal);
  } finally {
    cancel.dispose();
  }
  await recordRelease(clients, outcome);
  return {
    outputs: blueGreenOutputs(outcome),
    summary: blueGreenSummary(outcome, clients.region, settings.blueGreen?.alarms ?? []),
    failure: failureOf(outcome),
  };
}

/**
 * A deployed release goes into the pair's deployment history (on the blue service, whatever
 * colour is live), so `command: rollback` can find the last known good revision.
 */
async function recordRelease(clients: AwsClients, outcome: ReleaseOutcome): Promise<void> {
  const arn = outcome.prepared?.arn;
  const blue = outcome.topology?.blue.serviceArn;
  if (outcome.status !== 'deployed' || !arn || !blue) return;
  await recordHistory(clients.ecs, blue, entryForThisRun(arn)).catch((err: Error) => {
    core.warning(`The release succeeded, but recording it in the deployment history failed: ${err.message}`);
  });
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
    'task-definition-arn': p?.arn ?? '',
    'task-definition-family': p?.family ?? '',
    'task-definition-revision': p?.revision !== undefined ? String(p.revision) : '',
    registered: String(p?.registered ?? false),
    'image-digests': JSON.stringify(p ? imageDigests(p) : {}),
    'previous-task-definition-arn': o.topology?.live.taskDefinition ?? '',
  };
}

function failureOf(o: ReleaseOutcome): string | undefined {
  switch (o.status) {
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

const HEADLINE: Record<ReleaseOutcome['status'], string> = {
  deployed: '✅ Deployed',
  unchanged: '✅ Unchanged',
  'dry-run': '📝 Dry run',
  refused: '⛔ Refused',
  'rolled-back': '↩️ Rolled back',
  cancelled: '🛑 Cancelled',
  failed: '❌ Failed',
};

export function blueGreenSummary(o: ReleaseOutcome, region: string, alarms: string[] = []): string {
  const parts: string[] = ['## Blue-green release'];
  const t = o.topology;
  const why = o.reason ? `: ${o.reason}` : '';
  parts.push(
    `**${HEADLINE[o.status]}**${why}${o.status === 'deployed' ? ` — **${o.liveColor}** is live (was ${o.previousColor}).` : ''}`,
  );
  if (o.alarmToRestoredMs !== undefined)
    parts.push(`Production traffic was restored ${o.alarmToRestoredMs} ms after the alarm was seen.`);
  if (t) {
    parts.push(
      table(
        ['Side', 'Service', 'Target group', 'Before'],
        [t.live, t.idle].map((s) => [
          `${s.color}${s === t.live ? ' (live before)' : ''}`,
          link(s.service, serviceUrl(region, t.cluster, s.service)),
          link(s.targetGroupArn.split('/')[1] ?? s.targetGroupArn, targetGroupUrl(region, s.targetGroupArn)),
          `${s.desiredCount} × ${s.taskDefinition.slice(s.taskDefinition.lastIndexOf('/') + 1) || '—'}`,
        ]),
      ),
    );
  }
  if (alarms.length) {
    parts.push(
      `Alarms watched: ${alarms.map((a) => (a.endsWith('*') ? `\`${a}\`` : link(a, alarmUrl(region, a)))).join(', ')}`,
    );
  }
  if (o.prepared) {
    parts.push(
      `Task definition: \`${o.prepared.arn ?? o.prepared.family}\`${o.prepared.registered ? ' (new revision)' : ''}`,
    );
  }
  if (o.smoke.length) {
    parts.push(
      '### Smoke tests',
      table(
        ['Request', 'Expected', 'Got', 'Time', ''],
        o.smoke.map((r) => [r.request, r.expected, r.got, `${r.ms} ms`, r.ok ? '✅' : '❌']),
      ),
    );
  }
  if (o.events.length) {
    parts.push(
      '### Timeline',
      table(
        ['At', 'What happened'],
        o.events.map((e) => [formatDuration(e.atMs), e.text]),
      ),
    );
  }
  const phases = o.phaseLog.phases;
  if (phases.length) {
    const gantt = [
      'gantt',
      '  dateFormat x',
      '  axisFormat %M:%S',
      ...phases.map(
        (p, i) =>
          `  ${p.name.replace(/[:#;]/g, ' ')} :${p.ok ? '' : 'crit, '}p${i}, ${p.startedAt}, ${Math.max(1, p.durationMs)}ms`,
      ),
    ];
    parts.push(codeBlock('mermaid', gantt.join('\n')));
  }
  if (o.undo && (o.undo.done.length || o.undo.failed.length)) {
    parts.push('### Undo', [...o.undo.done, ...o.undo.failed].map((l) => `- ${l}`).join('\n'));
  }
  if (o.notes.length) parts.push(o.notes.map((n) => `> ${n}`).join('\n'));
  return parts.join('\n\n');
}
