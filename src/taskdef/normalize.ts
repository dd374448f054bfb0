/**
 * Turning what `DescribeTaskDefinition` returns into what `RegisterTaskDefinition` accepts.
 * Only the known read-only fields are removed; every other field passes through, so a field
 * AWS adds next year still registers (a list of what to keep would silently drop it).
 */

import type { ContainerDefinition, RegisterTaskDefinitionCommandInput, Tag } from '@aws-sdk/client-ecs';
import { withEcsDefaults } from './ecs-defaults.js';

export type TaskDefinitionInput = RegisterTaskDefinitionCommandInput & Record<string, unknown>;
export type Container = ContainerDefinition & Record<string, unknown>;

export const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

/** Remove null and undefined values everywhere (the CLI prints nulls that register rejects). */
export function dropNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(dropNulls) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = dropNulls(v);
    return out as T;
  }
  return value;
}

/**
 * Accepts a task definition as written by hand, as `aws ecs describe-task-definition` prints it
 * (wrapped in `taskDefinition`, with `tags` beside), or as the SDK returns it.
 */
export function toRegisterInput(raw: unknown, tags?: Tag[]): TaskDefinitionInput {
  let def = raw as Record<string, unknown>;
  let wrappedTags: unknown;
  if (def && typeof def.taskDefinition === 'object' && def.taskDefinition !== null && !def.family) {
    wrappedTags = def.tags;
    def = def.taskDefinition as Record<string, unknown>;
  }
  const out: Record<string, unknown> = { ...def };
  for (const field of READ_ONLY_FIELDS) delete out[field];
  const allTags = (tags ?? (Array.isArray(wrappedTags) ? (wrappedTags as Tag[]) : undefined)) || undefined;
  if (allTags && allTags.length > 0) out.tags = allTags;
  return dropNulls(out) as TaskDefinitionInput;
}

/** Keys AWS returns empty when nothing was set; equal definitions must compare equal either way. */
function isEmpty(v: unknown): boolean {
  return (
    (Array.isArray(v) && v.length === 0) ||
    (!!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)
  );
}

const SORT_BY_NAME = new Set(['environment', 'secrets', 'tags']);

/**
 * A canonical form for comparing two definitions: sorted keys, no empty values (ECS returns
 * `environment: []`, `mountPoints: []` … for what was never set), name-keyed lists sorted by name.
 */
export function canonical(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    let items = value.map((v) => canonical(v, key === 'containerDefinitions' ? 'container' : ''));
    if (SORT_BY_NAME.has(key)) {
      items = [...items].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    }
    return items;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v === null || v === undefined || isEmpty(v)) continue;
      out[k] = canonical(v, k);
    }
    return out;
  }
  return value;
}

function nameOf(v: unknown): string {
  const o = v as { name?: string; key?: string };
  return o?.name ?? o?.key ?? '';
}

/**
 * Canonical, stable JSON of a definition (for equality and for diffs), with the defaults ECS
 * fills in, so the rendered file and DescribeTaskDefinition's answer compare as ECS sees them.
 */
export function canonicalJson(def: TaskDefinitionInput): string {
  return JSON.stringify(canonical(withEcsDefaults(def)), null, 2);
}
