/**
 * The phases of a command as one Mermaid gantt chart on an elapsed-time axis.
 *
 * Mermaid formats axis labels in the reader's local time zone, so a chart placed at epoch 0
 * and labelled `%H:%M` or `%M:%S` shows other numbers in India or Newfoundland. The chart is
 * placed at epoch 0 and labelled with `%Q` (milliseconds since the epoch) or `%s` (seconds
 * since the epoch), which no time zone changes: they read as time since the command started.
 * Ticks are set in milliseconds or seconds, which are the same instants in every zone too.
 */

import type { Phase } from '../release/phase-log.js';
import { formatDuration } from '../settings/values.js';
import { codeBlock } from './markdown.js';

const MS_TICKS = [10, 20, 50, 100, 200, 250, 500];
const S_TICKS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
/** Few enough labels to read on a narrow summary column. */
const MAX_TICKS = 10;

function axis(totalMs: number): { format: string; tick: string } {
  if (totalMs <= 5_000) {
    const step = MS_TICKS.find((t) => totalMs / t <= MAX_TICKS) ?? 1000;
    return { format: '%Q ms', tick: `${step}millisecond` };
  }
  const step = S_TICKS.find((t) => totalMs / 1000 / t <= MAX_TICKS) ?? 7200;
  return { format: '%s s', tick: `${step}second` };
}

/** Mermaid reads `:` and `#` and `;` in a task name as syntax. */
const label = (name: string) => name.replace(/[:#;]/g, ' ');

export function gantt(phases: Phase[], section = 'Phases'): string {
  const start = Math.min(...phases.map((p) => p.startedAt));
  const end = Math.max(...phases.map((p) => p.startedAt + p.durationMs));
  const total = Math.max(1, end - start);
  // A 4 ms phase in a minute-long chart would be a zero-width bar: draw every bar at least
  // 1/80 of the chart wide; its label still says how long it really took.
  const minBar = Math.max(1, Math.ceil(total / 80));
  const a = axis(total);
  const lines = ['gantt', '  dateFormat x', `  axisFormat ${a.format}`, `  tickInterval ${a.tick}`];
  lines.push(`  section ${label(section)}`);
  phases.forEach((p, i) => {
    const from = p.startedAt - start;
    const to = from + Math.max(minBar, p.durationMs);
    const tags = [p.ok ? undefined : 'crit', `p${i}`].filter(Boolean).join(', ');
    const took = formatDuration(p.durationMs);
    // "Bake 3.0s" already says how long it was meant to take; the bar says how long it took.
    const name = p.name.endsWith(took) ? p.name : `${p.name} ${took}`;
    lines.push(`  ${label(name)} :${tags}, ${from}, ${to}`);
  });
  return codeBlock('mermaid', lines.join('\n'));
}
