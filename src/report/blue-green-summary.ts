/**
 * A blue-green release described for the one summary builder: the outcome, each colour before
 * and after, the images, the phases, the smoke results, the traffic timeline, what was undone
 * and the task-definition diff.
 */

import { familyRevision, targetGroupName } from '../aws/arn.js';
import { formatDuration } from '../settings/values.js';
import type { ReleaseOutcome } from '../strategies/blue-green/deploy.js';
import type { Side } from '../strategies/blue-green/topology.js';
import { alarmUrl, link, serviceUrl, targetGroupUrl } from './console-links.js';
import { gateCells } from './gate-cells.js';
import { table } from './markdown.js';
import { type Outcome, renderSummary, type SideState, type Summary, summary } from './summary.js';

const OUTCOME: Record<ReleaseOutcome['status'], Outcome> = {
  deployed: 'succeeded',
  unchanged: 'unchanged',
  'dry-run': 'dry-run',
  refused: 'refused',
  'rolled-back': 'rolled-back',
  cancelled: 'cancelled',
  superseded: 'superseded',
  failed: 'failed',
};

const revision = (arn: string | undefined) => (arn ? familyRevision(arn) : '—');

function headline(o: ReleaseOutcome): string {
  const rev = o.prepared?.arn ? `**${familyRevision(o.prepared.arn)}**` : 'the new revision';
  switch (o.status) {
    case 'deployed':
      return `Deployed ${rev}: **${o.liveColor}** is live (was ${o.previousColor}).`;
    case 'unchanged':
      return `Unchanged: ${o.liveColor ?? 'the live side'} already runs ${rev}.`;
    case 'dry-run':
      return 'Dry run: nothing was changed.';
    case 'refused':
      return 'Refused: nothing was changed.';
    case 'rolled-back':
      return `Rolled back: production is on **${o.previousColor}**, as before the release.`;
    case 'cancelled':
      return o.undo?.failed.length
        ? 'Cancelled: the post step finishes the undo.'
        : `Cancelled: production is back on **${o.previousColor}**.`;
    case 'superseded':
      return `Superseded: deployment \`${o.supersededBy?.deploymentId ?? '?'}\` (${revision(o.supersededBy?.taskDefinitionArn)}) replaced this release's on **${o.topology?.idle.color ?? 'the idle side'}**; production stays on **${o.previousColor}**.`;
    case 'failed':
      return 'Failed.';
  }
}

/** Each colour before the release and after it, told by whose tasks serve production. */
function sides(o: ReleaseOutcome, region: string): SideState[] {
  const t = o.topology;
  if (!t) return [];
  const deployed = o.status === 'deployed';
  const label = (s: Side) =>
    `${s.color}: ${link(s.service, serviceUrl(region, t.cluster, s.service))} (${link(
      targetGroupName(s.targetGroupArn),
      targetGroupUrl(region, s.targetGroupArn),
    )})`;
  const before = (s: Side) =>
    `${s === t.live ? 'live' : 'idle'}, ${s.desiredCount} × ${revision(s.taskDefinition || undefined)}`;
  return [t.live, t.idle].map((s) => {
    const wasLive = s === t.live;
    let after: string;
    if (deployed) after = wasLive ? 'idle: no production traffic' : `live: ${revision(o.prepared?.arn)}`;
    else if (o.status === 'dry-run' || o.status === 'refused') after = 'unchanged';
    else
      after = wasLive
        ? `live: ${revision(s.taskDefinition || undefined)} (unchanged)`
        : 'idle: no production traffic';
    return { side: label(s), before: before(s), after };
  });
}

export function blueGreenModel(o: ReleaseOutcome, region: string, alarms: string[] = []): Summary {
  const s = summary('Blue-green release', OUTCOME[o.status], headline(o));
  s.why = o.reason;
  const t = o.topology;
  const phases = o.phaseLog.phases;
  if (t) {
    s.services.push({
      service: t.idle.service,
      outcome: OUTCOME[o.status],
      outcomeText: o.status,
      revision: o.prepared?.arn ? familyRevision(o.prepared.arn) : o.prepared?.family,
      previous: revision(t.live.taskDefinition || undefined),
      durationMs: phases.length
        ? phases.at(-1)!.startedAt + phases.at(-1)!.durationMs - phases[0]!.startedAt
        : undefined,
    });
  }
  s.sides = sides(o, region);
  s.images = (o.prepared?.images ?? []).map((image) => ({
    service: t?.idle.service ?? o.prepared?.family ?? '',
    container: image.container,
    image,
  }));
  s.phases = phases;
  if (alarms.length) {
    s.sections.push({
      heading: 'Alarms watched',
      body: alarms.map((a) => (a.endsWith('*') ? `\`${a}\`` : link(a, alarmUrl(region, a)))).join(', '),
    });
  }
  if (o.smoke.length) {
    s.sections.push({
      heading: 'Smoke tests',
      body: table(
        ['Request', 'Expected', 'Got', 'Time', 'Result'],
        o.smoke.map((r) => [r.request, r.expected, r.got, `${r.ms} ms`, r.ok ? '✅ passed' : '❌ failed']),
      ),
    });
  }
  if (o.events.length || o.alarmToRestoredMs !== undefined) {
    const restored =
      o.alarmToRestoredMs !== undefined
        ? [`Production traffic was restored ${o.alarmToRestoredMs} ms after the alarm was seen.`]
        : [];
    const events = o.events.length
      ? [
          table(
            ['At', 'What happened'],
            o.events.map((e) => [formatDuration(e.atMs), e.text]),
          ),
        ]
      : [];
    s.sections.push({ heading: 'Traffic', body: [...restored, ...events].join('\n\n') });
  }
  if (o.gates?.length) {
    const mark = { passed: '✅', failed: '❌', 'no data': '⚠️ no data' } as const;
    s.sections.push({
      heading: 'Metric gates',
      body: table(
        ['Window', 'Minutes judged', 'Requests', '5xx', 'p95', 'Waited for data', ''],
        o.gates.map((g) => [
          ...gateCells(g),
          formatDuration(g.waitedMs),
          `${mark[g.verdict]}${g.detail ? ` ${g.detail}` : ''}`,
        ]),
      ),
    });
  }
  if (o.undo && (o.undo.done.length || o.undo.failed.length)) {
    s.sections.push({
      heading: 'Undo',
      body: [...o.undo.done, ...o.undo.failed.map((f) => `failed: ${f}`)].map((l) => `- ${l}`).join('\n'),
    });
  }
  if (o.prepared?.diff !== undefined && o.prepared.baselineLabel) {
    s.diffs.push({ against: o.prepared.baselineLabel, diff: o.prepared.diff });
  }
  s.notes = o.notes;
  return s;
}

export function blueGreenSummary(o: ReleaseOutcome, region: string, alarms: string[] = []): string {
  return renderSummary(blueGreenModel(o, region, alarms));
}
