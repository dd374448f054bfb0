/**
 * The shipped IAM policy must allow exactly what the action sends: every AWS command used in
 * src/ is allowed, and nothing is allowed that no command (or a documented side effect) needs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../harness/run-action.js';

const SERVICE_PREFIX: Record<string, string> = {
  'client-ecs': 'ecs',
  'client-ecr': 'ecr',
  'client-elastic-load-balancing-v2': 'elasticloadbalancing',
  'client-cloudwatch': 'cloudwatch',
  'client-application-auto-scaling': 'application-autoscaling',
};

/** Permissions AWS checks beside the API action itself (documented per API). */
const IMPLIED: Record<string, string[]> = {
  'ecs:RegisterTaskDefinition': ['iam:PassRole', 'ecs:TagResource'],
  'ecs:CreateService': ['iam:PassRole', 'ecs:TagResource'],
  'application-autoscaling:RegisterScalableTarget': ['iam:CreateServiceLinkedRole'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** `ecs:UpdateService` for every `UpdateServiceCommand` imported from an AWS client in src/. */
function actionsUsedBySource(): Set<string> {
  const used = new Set<string>();
  for (const file of sourceFiles(path.join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g,
    )) {
      const prefix = SERVICE_PREFIX[m[2]!];
      if (!prefix) throw new Error(`${file}: unknown AWS client ${m[2]}; add it to SERVICE_PREFIX`);
      for (const name of m[1]!.split(',').map((s) => s.trim())) {
        const cmd = /^(\w+)Command$/.exec(name);
        if (cmd && new RegExp(`new ${name}\\(`).test(text)) used.add(`${prefix}:${cmd[1]}`);
      }
      // Waiters and paginators send commands too.
      for (const name of m[1]!.split(',').map((s) => s.trim())) {
        const paginate = /^paginate(\w+)$/.exec(name);
        if (paginate) used.add(`${prefix}:${paginate[1]}`);
      }
    }
  }
  return used;
}

function actionsAllowedByPolicy(): Set<string> {
  const policy = JSON.parse(readFileSync(path.join(ROOT, 'iam', 'policy.json'), 'utf8')) as {
    Statement: { Effect: string; Action: string | string[] }[];
  };
  const allowed = new Set<string>();
  for (const s of policy.Statement) {
    expect(s.Effect).toBe('Allow');
    for (const a of Array.isArray(s.Action) ? s.Action : [s.Action]) {
      expect(a).not.toMatch(/\*/); // least privilege: no wildcards in actions
      allowed.add(a);
    }
  }
  return allowed;
}

describe('IAM policy (iam/policy.json)', () => {
  const used = actionsUsedBySource();
  const allowed = actionsAllowedByPolicy();
  const needed = new Set([...used, ...[...used].flatMap((a) => IMPLIED[a] ?? [])]);

  it('finds the commands the source sends', () => {
    expect(used.has('ecs:RegisterTaskDefinition')).toBe(true);
  });

  it('allows every AWS command the source sends', () => {
    expect([...used].filter((a) => !allowed.has(a)).sort()).toEqual([]);
  });

  it('allows nothing that no command needs', () => {
    expect([...allowed].filter((a) => !needed.has(a)).sort()).toEqual([]);
  });
});
