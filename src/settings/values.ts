/**
 * Parsers for the textual forms that action inputs arrive in (every input is a string).
 * The config file may use the structured YAML form of the same value instead.
 */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `250ms`, `30s`, `10m`, `1h`, or a plain number of seconds. Returns milliseconds, or undefined if malformed. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return text >= 0 ? text * 1000 : undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const match = DURATION.exec(trimmed);
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2]!] ?? 0);
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

export function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  return undefined;
}
