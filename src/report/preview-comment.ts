/**
 * The text of the pull-request comment and of the job summary for a preview: what is where,
 * at which commit, whether it works (with the smoke results), and why not when it does not.
 */
import type { SmokeResult } from '../smoke/smoke.js';
import { table } from './markdown.js';

export type PreviewStatus = 'deploying' | 'ready' | 'failed' | 'removed';

export interface PreviewReport {
  app: string;
  pullRequest: number;
  /** Empty when unknown (a sweep knows no domain). */
  url: string;
  commit: string;
  status: PreviewStatus;
  /** Why it failed, or what removed it. */
  reason?: string;
  smoke: SmokeResult[];
  runUrl?: string;
  /** ISO time of this report. */
  at: string;
}

const HEADLINE: Record<PreviewStatus, string> = {
  deploying: '⏳ Deploying',
  ready: '✅ Ready',
  failed: '❌ Failed',
  removed: '🗑️ Removed',
};

export function smokeTable(smoke: SmokeResult[]): string {
  return table(
    ['Check', 'Expected', 'Got', 'Result'],
    smoke.map((s) => [
      s.request,
      s.expected,
      s.got,
      `${s.ok ? 'passed' : 'FAILED'} (${s.ms}ms, ${s.attempts}×)`,
    ]),
  );
}

export function previewMarkdown(r: PreviewReport): string {
  const short = r.commit.slice(0, 7);
  const lines = [
    `### Preview of \`${r.app}\` for #${r.pullRequest}: ${HEADLINE[r.status]}`,
    '',
    table(
      ['Preview', 'Value'],
      [
        ['URL', !r.url ? '—' : r.status === 'removed' ? `~~${r.url}~~` : r.url],
        ['Commit', short ? `\`${short}\`` : '—'],
        ['Status', HEADLINE[r.status]],
        ['Updated', r.at],
      ],
    ),
  ];
  if (r.reason) lines.push('', r.status === 'failed' ? `**Why:** ${r.reason}` : r.reason);
  if (r.smoke.length) lines.push('', '**Smoke tests**', '', smokeTable(r.smoke));
  if (r.runUrl) lines.push('', `[Workflow run](${r.runUrl})`);
  return lines.join('\n');
}
