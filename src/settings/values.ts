/**
 * Parsers for the textual forms that action inputs arrive in (every input is a string).
 * The config file may use the structured YAML form of the same value instead.
 */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export type DurationUnit = 'ms' | 's' | 'm' | 'h';

/**
 * `250ms`, `30s`, `10m`, `1h`, or `0`. Returns milliseconds, or undefined if malformed. A bare
 * number other than 0 is not a duration: `timeout: 15` means minutes to a user of the official
 * action's `wait-for-minutes` and seconds to others, so it is refused rather than guessed.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return text === 0 ? 0 : undefined;
  const trimmed = text.trim();
  if (/^0+(\.0+)?$/.test(trimmed)) return 0;
  const match = DURATION.exec(trimmed);
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2]!] ?? 0);
}

/** Why `text` is not a duration, with the likely meant form for a bare number (`15` → `15m`). */
export function durationProblem(text: string | number, likelyUnit: DurationUnit = 'm'): string {
  const bare = String(text).trim();
  if (/^\d+(\.\d+)?$/.test(bare))
    return `"${bare}" has no unit: did you mean \`${bare}${likelyUnit}\`? (units: ms, s, m, h)`;
  return `"${text}" is not a duration`;
}

/** Human form of a duration in milliseconds, for logs and summaries. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
}

/**
 * Split `a=1, b=2` or one pair per line into ordered pairs. Only the first `=` separates, so
 * values may contain `=` (image URIs with digests do not, but environment values can).
 * Returns the offending entry when one has no `=`.
 */
export function parsePairs(text: string): { pairs: [string, string][] } | { bad: string } {
  const pairs: [string, string][] = [];
  for (const raw of text.split(/[\n,]/)) {
    const entry = raw.trim();
    if (!entry || entry.startsWith('#')) continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) return { bad: entry };
    pairs.push([entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()]);
  }
  return { pairs };
}

/**
 * One `NAME=value` per line (environment variables, secrets): a value may hold commas and `=`,
 * so only a line break separates entries and only the first `=` splits. A bad entry is named
 * by its line number, never by its text, which may be a secret value.
 */
export function parseLinePairs(text: string): { pairs: [string, string][] } | { badLine: number } {
  const pairs: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const entry = lines[i]!.trim();
    if (!entry || entry.startsWith('#')) continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) return { badLine: i + 1 };
    pairs.push([entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()]);
  }
  return { pairs };
}

export function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  return undefined;
}
