/**
 * The job summary of a blue-green release: the outcome, the two sides before the release, the
 * alarms watched, the smoke results, the timeline and what was undone.
 */

import { formatDuration } from '../settings/values.js';
import type { ReleaseOutcome } from '../strategies/blue-green/deploy.js';
import { alarmUrl, link, serviceUrl, targetGroupUrl } from './console-links.js';
import { codeBlock, table } from './markdown.js';

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
