/**
 * Schema pieces shared by every settings module: an input arrives as text, a config-file value
 * as YAML, and each piece accepts both and yields the typed value (or a custom issue whose
 * message shows what was wrong).
 */
import * as z from 'zod';
import {
  type DurationUnit,
  durationProblem,
  parseBoolean,
  parseDuration,
  parseLinePairs,
  parsePairs,
} from './values.js';

/** Report `message` as the issue of this value; the transform's result is then ignored. */
export function custom(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER as never;
}

/** `true`/`false` as text, or a YAML boolean. */
export const bool = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  const b = parseBoolean(v);
  return b === undefined ? custom(ctx, `"${v}" is not true or false`) : b;
});

/**
 * `250ms`, `30s`, `10m`, `1h` (or `0`), in milliseconds. A bare number is refused with the form
 * the user most likely meant in `likelyUnit` (`15` → "did you mean `15m`?").
 */
export const durationIn = (likelyUnit: DurationUnit) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    return ms === undefined ? custom(ctx, durationProblem(v, likelyUnit)) : ms;
  });

/** A duration whose bare numbers most likely meant minutes (timeouts, bake and pause times). */
export const duration = durationIn('m');

/** `a=1, b=2` (or one pair per line) as text, or a YAML map, as ordered pairs; undefined after an issue. */
export function entriesOf(
  v: string | Record<string, string | number | boolean>,
  ctx: z.RefinementCtx,
): [string, string][] | undefined {
  if (typeof v !== 'string') return Object.entries(v).map(([k, val]) => [k, String(val)]);
  const parsed = parsePairs(v);
  if (!('bad' in parsed)) return parsed.pairs;
  ctx.addIssue({ code: 'custom', message: `"${parsed.bad}" has no "="` });
  return undefined;
}

/**
 * `NAME=value`, one per line, as text, or a YAML map. Keys are checked by `keyPattern`, values
 * by `valuePattern`. Errors name the entry (its line, or its name when that is a valid name),
 * never its value: these carry environment values and secret references.
 */
export const pairs = (keyPattern: RegExp, valuePattern?: RegExp) =>
  z
    .union([z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))])
    .transform((v, ctx) => {
      let entries: [string, string][];
      if (typeof v === 'string') {
        const parsed = parseLinePairs(v);
        if ('badLine' in parsed) return custom(ctx, `line ${parsed.badLine} has no "NAME=" before its value`);
        entries = parsed.pairs;
      } else {
        entries = Object.entries(v).map(([k, val]) => [k, String(val)]);
      }
      for (const [index, [key, value]] of entries.entries()) {
        if (!keyPattern.test(key)) return custom(ctx, `entry ${index + 1} does not start with a valid NAME`);
        if (valuePattern && !valuePattern.test(value)) return custom(ctx, `the value of ${key} is not valid`);
      }
      const names = entries.map(([k]) => k);
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup) return custom(ctx, `${dup} is set twice`);
      return entries;
    });

/** `a, b` or one per line into `['a', 'b']`; a YAML list is taken as it is. */
export function splitList(v: string | string[]): string[] {
  return typeof v === 'string'
    ? v
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean)
    : v;
}

/** A field whose value is one string matching `pattern`; `expected` is what the error and the docs name. */
export function matching(pattern: RegExp, expected: string) {
  return { schema: z.string().regex(pattern), expected };
}
