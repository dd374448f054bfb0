/**
 * The one job-summary builder. Every command describes what happened as a `Summary`, and this
 * module lays it out the same way for all of them: the outcome first (and why), one row per
 * service, each side's state before and after, the images with tag and digest, one timeline of
 * the phases, the command's own detail, then the task-definition diff folded away.
 */
import type { Phase } from '../release/phase-log.js';
import { formatDuration } from '../settings/values.js';
import type { PinnedImage } from '../taskdef/images.js';
import { gantt } from './gantt.js';
import { codeBlock, details, table } from './markdown.js';

export type Outcome =
  | 'succeeded'
  | 'superseded'
  | 'rolled-back'
  | 'failed'
  | 'rollback-failed'
  | 'dry-run'
  | 'cancelled'
  | 'refused'
  | 'unchanged'
  | 'removed'
  | 'started';

export const ICON: Record<Outcome, string> = {
  succeeded: '✅',
  superseded: '⏭️',
  'rolled-back': '↩️',
  failed: '❌',
  'rollback-failed': '🔥',
  'dry-run': '📝',
  started: '🚀',
  cancelled: '🛑',
  refused: '⛔',
  unchanged: '✅',
  removed: '🧹',
};

export interface ServiceRow {
  service: string;
  outcome: Outcome;
  /** The outcome in a few words: "deployed", "failed, rolled back". */
  outcomeText: string;
  revision?: string;
  previous?: string;
  deployment?: string;
  durationMs?: number;
}

/** What one side (a service, or a blue-green colour) ran before and runs after. */
export interface SideState {
  side: string;
  before: string;
  after: string;
}

export interface ImageRow {
  service: string;
  container: string;
  image: PinnedImage;
}

export interface Summary {
  title: string;
  outcome: Outcome;
  /** One sentence (Markdown): what happened. */
  headline: string;
  /** Why it was done, as the user said (a rollback's reason). */
  reason?: string;
  /** Why it failed, was rolled back or refused. */
  why?: string;
  services: ServiceRow[];
  sides: SideState[];
  images: ImageRow[];
  phases: Phase[];
  /** The command's own detail, in order: why it failed, smoke tests, traffic, undo… */
  sections: { heading: string; body: string }[];
  diffs: { against: string; service?: string; diff: string }[];
  notes: string[];
}

/** A summary with nothing but its title and outcome; commands fill in what they have. */
export function summary(title: string, outcome: Outcome, headline: string): Summary {
  return {
    title,
    outcome,
    headline,
    services: [],
    sides: [],
    images: [],
    phases: [],
    sections: [],
    diffs: [],
    notes: [],
  };
}

const dash = (text: string | undefined) => (text ? text : '—');

function servicesTable(rows: ServiceRow[]): string {
  return table(
    ['Service', 'Outcome', 'Revision', 'Previous', 'Deployment', 'Duration'],
    rows.map((r) => [
      r.service,
      `${ICON[r.outcome]} ${r.outcomeText}`,
      dash(r.revision),
      dash(r.previous),
      dash(r.deployment),
      r.durationMs === undefined ? '—' : formatDuration(r.durationMs),
    ]),
  );
}

/**
 * One row per image, narrow enough not to scroll sideways: the registry host, the same for
 * nearly every image, is said once above the table instead of in every row.
 */
function imagesSection(rows: ImageRow[]): string {
  const registries = [...new Set(rows.map((r) => r.image.registry).filter((r): r is string => !!r))];
  const shared = registries.length === 1 ? registries[0] : undefined;
  const name = (i: PinnedImage) =>
    i.requested ? (shared ? i.requested : `${i.registry}/${i.requested}`) : i.image;
  const lines = shared ? [`Registry \`${shared}\``, ''] : [];
  lines.push(
    table(
      ['Service', 'Container', 'Image', 'Digest'],
      rows.map((r) => [
        r.service,
        r.container,
        `\`${name(r.image)}\``,
        r.image.digest
          ? `\`${r.image.digest}\``
          : r.image.image.includes('@sha256:')
            ? 'pinned'
            : 'not in ECR',
      ]),
    ),
  );
  return lines.join('\n');
}

function phasesTable(phases: Phase[]): string {
  const start = phases[0]?.startedAt ?? 0;
  return table(
    ['Phase', 'Started', 'Duration', 'Result'],
    phases.map((p) => [
      p.name,
      `+${formatDuration(p.startedAt - start)}`,
      formatDuration(p.durationMs),
      p.ok ? '✅ done' : '❌ failed',
    ]),
  );
}

export function renderSummary(s: Summary): string {
  const parts = [`## ${s.title}`, `${ICON[s.outcome]} ${s.headline}`];
  if (s.reason) parts.push(`**Reason:** ${s.reason}`);
  if (s.why) parts.push(`**Why:** ${s.why}`);
  if (s.services.length) parts.push('### Services', servicesTable(s.services));
  if (s.sides.length) {
    parts.push(
      '### Before and after',
      table(
        ['Side', 'Before', 'After'],
        s.sides.map((x) => [x.side, x.before, x.after]),
      ),
    );
  }
  if (s.images.length) parts.push('### Images', imagesSection(s.images));
  if (s.phases.length) parts.push('### Phases', gantt(s.phases), phasesTable(s.phases));
  for (const section of s.sections) parts.push(`### ${section.heading}`, section.body);
  for (const d of s.diffs) {
    const title = `Task-definition diff${d.service ? ` for ${d.service}` : ''} against ${d.against}`;
    parts.push(
      d.diff
        ? details(title, codeBlock('diff', d.diff))
        : `No task-definition changes${d.service ? ` for ${d.service}` : ''} against ${d.against}.`,
    );
  }
  if (s.notes.length) parts.push(s.notes.map((n) => `> ${n}`).join('\n>\n'));
  return parts.join('\n\n');
}
