/**
 * The job summary and the failure message of a deploy: outcome first, then one row per service,
 * the images deployed with their digests, the phases with durations (table and timeline), and
 * for every failed service why it failed.
 */

import { familyRevision } from '../aws/arn.js';
import { type Diagnosis, describeStoppedTask, rootCause } from '../aws/diagnose.js';
import type { Phase } from '../release/phase-log.js';
import type { ServiceOutcome, ServiceStatus } from '../strategies/rolling/deploy.js';
import { codeBlock, details, table } from './markdown.js';
import { renderSummary, type SideState, summary } from './summary.js';

const STATUS_TEXT: Record<ServiceStatus, string> = {
  succeeded: '✅ deployed',
  superseded: '⏭️ superseded by a newer deployment',
  failed: '❌ failed',
  'rolled-back': '↩️ failed, rolled back',
  'rollback-failed': '🔥 failed, rollback failed',
  'dry-run': '📝 dry run',
  started: '🚀 started, not watched (outcome unknown)',
};

export function revisionLabel(o: ServiceOutcome): string {
  return o.prepared.arn ? familyRevision(o.prepared.arn) : `${o.prepared.family} (new revision)`;
}

function rollbackText(o: ServiceOutcome): string {
  const r = o.rollback;
  if (!r) return '';
  const who = r.by === 'ecs' ? 'ECS rolled back' : 'the action rolled back';
  const how =
    r.outcome === 'completed' ? 'completed' : r.outcome === 'failed' ? `failed: ${r.reason}` : 'started';
  return `${who} to ${familyRevision(r.taskDefinitionArn)} (${how})`;
}

/** The error annotation: one block naming each failed service, why, and what was done about it. */
/** Why the step fails, if it does; a superseded deploy fails it unless `allowSuperseded`. */
export function failureMessage(outcomes: ServiceOutcome[], allowSuperseded = false): string | undefined {
  const failed = outcomes.filter(
    (o) =>
      o.status !== 'succeeded' &&
      o.status !== 'dry-run' &&
      o.status !== 'started' &&
      !(allowSuperseded && o.status === 'superseded'),
  );
  if (!failed.length) return undefined;
  const lines = [
    outcomes.length > 1
      ? `Deploy failed for ${failed.length} of ${outcomes.length} services (${failed.map((o) => o.target.service).join(', ')}).`
      : `Deploy of ${failed[0]!.target.service} failed.`,
  ];
  for (const o of failed) {
    if (o.status === 'superseded') {
      lines.push(
        `${o.target.service}: superseded: ${o.reason}. It was not rolled back; set input "allow-superseded" to pass the step when this happens.`,
      );
      continue;
    }
    lines.push(`${o.target.service}: ${o.reason ?? 'failed'}.`);
    for (const cause of o.diagnosis ? rootCause(o.diagnosis) : []) lines.push(`  ${cause}`);
    const rollback = rollbackText(o);
    if (rollback) lines.push(`  Rollback: ${rollback}.`);
    else if (o.status === 'failed') lines.push('  Not rolled back.');
  }
  return lines.join('\n');
}

export function overallStatus(
  outcomes: ServiceOutcome[],
): 'succeeded' | 'superseded' | 'failed' | 'rolled-back' | 'dry-run' | 'started' {
  if (outcomes.every((o) => o.status === 'dry-run')) return 'dry-run';
  if (outcomes.every((o) => o.status === 'started')) return 'started';
  if (outcomes.every((o) => o.status === 'succeeded')) return 'succeeded';
  if (outcomes.every((o) => o.status === 'succeeded' || o.status === 'superseded')) return 'superseded';
  const failed = outcomes.filter((o) => o.status !== 'succeeded');
  return failed.every((o) => o.status === 'rolled-back') ? 'rolled-back' : 'failed';
}

function headline(outcomes: ServiceOutcome[]): string {
  const status = overallStatus(outcomes);
  const n = outcomes.length;
  const ok = outcomes.filter((o) => o.status === 'succeeded').length;
  switch (status) {
    case 'dry-run':
      return `Dry run: ${n} service${n > 1 ? 's' : ''} would be deployed; nothing was changed.`;
    case 'started':
      return `Started ${outcomes.map((o) => `**${o.target.service}** (deployment \`${o.deploymentId}\`, ${revisionLabel(o)})`).join(', ')} without watching (\`wait: false\`): **the outcome is unknown**. ECS goes on deploying; follow it in the ECS console or with a later step.`;
    case 'succeeded':
      return n > 1
        ? `All ${n} services deployed.`
        : `Deployed **${revisionLabel(outcomes[0]!)}** to **${outcomes[0]!.target.service}**.`;
    case 'superseded':
      return `Superseded: a newer deployment replaced ${outcomes
        .filter((o) => o.status === 'superseded')
        .map(
          (o) =>
            `**${o.target.service}**'s (${o.supersededBy?.deploymentId}, ${familyRevision(o.supersededBy?.taskDefinitionArn ?? '')})`,
        )
        .join(', ')} before it finished; nothing was rolled back.`;
    default: {
      const failed = outcomes.filter((o) => o.status !== 'succeeded');
      return `Deploy failed: ${ok} of ${n} service${n > 1 ? 's' : ''} deployed; ${failed
        .map((o) => `**${o.target.service}** ${STATUS_TEXT[o.status].replace(/^\S+ /, '')}`)
        .join(', ')}.`;
    }
  }
}

function diagnosisBlock(o: ServiceOutcome, d: Diagnosis): string {
  const parts = [`**${o.target.service}**: ${o.reason ?? 'failed'}`];
  if (d.stoppedTasks.length) {
    parts.push(
      table(
        ['Task', 'Stop code', 'Stopped reason', 'Containers'],
        d.stoppedTasks.map((t) => [
          t.taskId,
          t.stopCode ?? '',
          t.stoppedReason ?? '',
          describeStoppedTask(t).split('; ').slice(1).join('; '),
        ]),
      ),
    );
  }
  if (d.healthCheckEvents.length)
    parts.push(`Health checks:\n${d.healthCheckEvents.map((e) => `- ${e}`).join('\n')}`);
  if (d.lastEvents.length)
    parts.push(details('Last service events', codeBlock('text', d.lastEvents.join('\n'))));
  return parts.join('\n\n');
}

/** What a service ran before and runs now: after a rollback, the previous revision again. */
function sideOf(o: ServiceOutcome): SideState {
  const previous = o.prepared.previousArn ? familyRevision(o.prepared.previousArn) : 'nothing';
  const after: Record<ServiceStatus, string> = {
    succeeded: revisionLabel(o),
    superseded: `${familyRevision(o.supersededBy?.taskDefinitionArn ?? '')} (a newer deployment's)`,
    'rolled-back': `${o.rollback ? familyRevision(o.rollback.taskDefinitionArn) : previous} again (${o.rollback?.by === 'ecs' ? 'ECS' : 'the action'} rolled back)`,
    'rollback-failed': `unknown: the rollback to ${previous} failed`,
    failed: `${revisionLabel(o)} (failed, not rolled back)`,
    'dry-run': `${previous} (dry run: unchanged)`,
    started: `${revisionLabel(o)} (deploying, not watched)`,
  };
  return { side: o.target.service, before: previous, after: after[o.status] };
}

export function deploySummary(outcomes: ServiceOutcome[], phases: Phase[], notes: string[] = []): string {
  const status = overallStatus(outcomes);
  // The step fails when any service rolled back: the headline says failed, the rows say how.
  const s = summary('Deploy (rolling)', status === 'rolled-back' ? 'failed' : status, headline(outcomes));
  const failed = outcomes.filter((o) => o.reason && o.status !== 'succeeded');
  if (failed.length) {
    s.why = failed
      .map((o) => `**${o.target.service}**: ${[o.reason, rollbackText(o)].filter(Boolean).join('; ')}`)
      .join('<br>');
  }
  s.services = outcomes.map((o) => ({
    service: o.target.service,
    outcome: o.status,
    outcomeText: STATUS_TEXT[o.status].replace(/^\S+ /, ''),
    revision: revisionLabel(o),
    previous: o.prepared.previousArn ? familyRevision(o.prepared.previousArn) : undefined,
    deployment: o.deploymentId,
    durationMs: o.status === 'dry-run' ? undefined : o.finishedAt - o.startedAt,
  }));
  s.sides = outcomes.map(sideOf);
  s.images = outcomes.flatMap((o) =>
    o.prepared.images.map((image) => ({ service: o.target.service, container: image.container, image })),
  );
  s.phases = phases;
  const explained = outcomes.filter((o) => o.diagnosis);
  if (explained.length) {
    s.sections.push({
      heading: 'Why it failed',
      body: explained.map((o) => diagnosisBlock(o, o.diagnosis!)).join('\n\n'),
    });
  }
  s.diffs = outcomes
    .filter((o) => o.prepared.diff)
    .map((o) => ({ service: o.target.service, against: o.prepared.baselineLabel, diff: o.prepared.diff }));
  s.notes = notes;
  return renderSummary(s);
}
