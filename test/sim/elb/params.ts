/**
 * Readers for the decoded awsQuery form: every scalar arrives as a string and an empty list as
 * an empty string, so handlers convert explicitly and fail with ValidationError like AWS does.
 */
import { AwsError } from '../core/errors.js';

export type Params = Record<string, unknown>;

export function validation(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

export function str(p: Params, key: string): string | undefined {
  const v = p[key];
  return typeof v === 'string' ? v : undefined;
}

export function required(p: Params, key: string): string {
  const v = str(p, key);
  if (v === undefined || v === '') {
    throw validation(
      `1 validation error detected: Value null at '${lowerFirst(key)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

export function int(p: Params, key: string): number | undefined {
  const v = str(p, key);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw validation(`'${v}' is not a valid integer for '${key}'`);
  return n;
}

export function bool(p: Params, key: string): boolean | undefined {
  const v = str(p, key);
  return v === undefined ? undefined : v === 'true';
}

export function obj(p: Params, key: string): Params | undefined {
  const v = p[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Params) : undefined;
}

export function list(p: Params, key: string): Params[] {
  const v = p[key];
  return Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Params[]) : [];
}

export function strings(p: Params, key: string): string[] {
  const v = p[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function inRange(name: string, value: number | undefined, lo: number, hi: number): void {
  if (value === undefined) return;
  if (value < lo || value > hi) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must have value ${value < lo ? `greater than or equal to ${lo}` : `less than or equal to ${hi}`}`,
    );
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
