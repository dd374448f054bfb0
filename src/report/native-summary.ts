/**
 * The job summary of an ECS-native release, in the two-service mode's shape: the outcome, the
 * service and its two target groups, the alarms, the smoke results, the timeline of ECS's
 * lifecycle stages and the action's decisions, and what was undone.
 */

import { familyRevision, targetGroupName } from '../aws/arn.js';
import { formatDuration } from '../settings/values.js';
import type { NativeOutcome } from '../strategies/ecs-native/deploy.js';
import { alarmUrl, link, serviceUrl, targetGroupUrl } from './console-links.js';
import { gateCells } from './gate-cells.js';
import { codeBlock, table } from './markdown.js';

const HEADLINE: Record<NativeOutcome['status'], string> = {
  deployed: '✅ Deployed',
  unchanged: '✅ Unchanged',
  'dry-run': '📝 Dry run',
  refused: '⛔ Refused',
  'rolled-back': '↩️ Rolled back',
  cancelled: '🛑 Cancelled',
  failed: '❌ Failed',
};

export function nativeSummary(o: NativeOutcome, region: string, alarms: string[] = []): string {
  const parts: string[] = ['## ECS blue/green release'];
  parts.push(`**${HEADLINE[o.status]}**${o.reason ? `: ${o.reason}` : ''}`);
  if (o.alarmToRestoredMs !== undefined)
    parts.push(`ECS restored production weights ${o.alarmToRestoredMs} ms after the alarm was seen.`);
  const s = o.setup;
  if (s) {
    const name = s.service.serviceName ?? '';
    parts.push(
      table(
        ['Service', 'Serving before', 'New revision in', 'Before'],
        [
          [
            link(name, serviceUrl(region, s.cluster, name)),
            link(targetGroupName(s.liveGroup), targetGroupUrl(region, s.liveGroup)),
            link(targetGroupName(s.newGroup), targetGroupUrl(region, s.newGroup)),
            `${s.desiredCount} × ${familyRevision(s.taskDefinition) || '—'}`,
          ],
        ],
      ),
    );
  }
  if (o.final) {
    parts.push(
      `ECS service deployment: \`${o.serviceDeploymentArn ?? ''}\` — **${o.final.status}**${o.final.rollback?.reason ? ` (rollback: ${o.final.rollback.reason})` : ''}`,
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
  if (o.gates.length) {
    parts.push(
      '### Metric gates',
      table(
        ['Window', 'Minutes', 'Requests', '5xx', 'p95', 'Verdict'],
        o.gates.map((g) => [
          ...gateCells(g),
          g.verdict === 'failed'
            ? `❌ ${g.detail ?? ''}`
            : g.verdict === 'passed'
              ? '✅'
              : `no data: ${g.detail ?? ''}`,
        ]),
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
          `  ${p.name.replace(/[:#;%()]/g, ' ')} :${p.ok ? '' : 'crit, '}p${i}, ${p.startedAt}, ${Math.max(1, p.durationMs)}ms`,
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
