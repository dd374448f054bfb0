/**
 * The IAM roles of iam/roles.ts: each allows only actions the code it runs can send, the
 * committed renderings match the source, and no statement is wider than its template — tried
 * by widening every statement of every role. (That every call a scenario sends is allowed by its
 * role is checked on every run of the scenarios: test/scenarios/iam-check.ts.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  allowedActions,
  EXAMPLE_PARAMETERS,
  IMPLIED,
  type PolicyDocument,
  policy,
  ROLE_NAMES,
  type RoleName,
  trustPolicy,
  WILDCARD_ONLY,
  widerThanTemplate,
} from '../../iam/roles.js';
import { ROOT } from '../harness/run-action.js';

const SERVICE_PREFIX: Record<string, string> = {
  'client-ecs': 'ecs',
  'client-ecr': 'ecr',
  'client-elastic-load-balancing-v2': 'elasticloadbalancing',
  'client-cloudwatch': 'cloudwatch',
  'client-cloudwatch-logs': 'logs',
  'client-application-auto-scaling': 'application-autoscaling',
};

/**
 * The modules each role's job runs (its command's entry); what they import, transitively, is
 * all that role can send. `image-push` runs no code of this action: `docker push` sends those.
 */
const ENTRIES: Record<RoleName, string[]> = {
  'image-push': [],
  'deploy-rolling': [
    'src/strategies/rolling/deploy.ts',
    'src/commands/register.ts',
    'src/commands/run-task.ts',
  ],
  // Migrations before a blue-green release run as `run-task` with the release's role.
  'deploy-blue-green': [
    'src/strategies/blue-green/deploy.ts',
    'src/strategies/ecs-native/deploy.ts',
    'src/commands/run-task.ts',
  ],
  rollback: ['src/commands/rollback.ts'],
  preview: ['src/commands/preview-up.ts', 'src/commands/preview-down.ts', 'src/commands/preview-sweep.ts'],
};
/** What `docker push` (and the login before it) sends to ECR; the release workflow's build job. */
const DOCKER_PUSH = [
  'ecr:GetAuthorizationToken',
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:BatchGetImage',
  'ecr:DescribeImages',
];

/** `ecs:UpdateService` for each `new UpdateServiceCommand(` (or paginateX) of a module. */
function commandsOf(file: string, text: string): Set<string> {
  const used = new Set<string>();
  for (const m of text.matchAll(
    /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g,
  )) {
    const prefix = SERVICE_PREFIX[m[2]!];
    if (!prefix) throw new Error(`${file}: unknown AWS client ${m[2]}; add it to SERVICE_PREFIX`);
    for (const name of m[1]!.split(',').map((s) => s.trim())) {
      const cmd = /^(\w+)Command$/.exec(name);
      if (cmd && new RegExp(`new ${name}\\(`).test(text)) used.add(`${prefix}:${cmd[1]}`);
      const paginate = /^paginate(\w+)$/.exec(name);
      if (paginate) used.add(`${prefix}:${paginate[1]}`);
    }
  }
  return used;
}

function reachable(entries: string[]): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, commandsOf(file, text));
    // Static imports and import() alike: a command's code may be loaded only when it runs.
    for (const m of text.matchAll(/(?:from\s*|import\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      visit(path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
    }
  };
  for (const e of entries) visit(path.join(ROOT, e));
  return seen;
}

function sentBy(role: RoleName): Set<string> {
  if (role === 'image-push') return new Set(DOCKER_PUSH);
  const code = [...reachable(ENTRIES[role]).values()].flatMap((s) => [...s]);
  // The preview workflow's build job pushes the pull request's image with the preview role.
  return new Set(role === 'preview' ? [...code, ...DOCKER_PUSH] : code);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** One level wider: `service/prod/web` → `service/prod/*`, `task/prod/*` → `task/*`. */
function widerPattern(arn: string): string {
  const body = arn.endsWith('*') ? arn.slice(0, -1).replace(/[/:]$/, '') : arn;
  return `${body.slice(0, Math.max(body.lastIndexOf('/'), body.lastIndexOf(':')) + 1)}*`;
}

const committed = (role: RoleName, kind: 'policy' | 'trust') =>
  JSON.parse(readFileSync(path.join(ROOT, 'iam', 'example', `${role}.${kind}.json`), 'utf8'));

describe.each(ROLE_NAMES)('IAM role %s', (role) => {
  const sent = sentBy(role);
  const allowed = allowedActions(role);

  it('allows only actions the code it runs can send (or AWS checks beside them)', () => {
    const implied = new Set([...sent].flatMap((a) => IMPLIED[a] ?? []));
    const extra = [...allowed].filter((a) => !sent.has(a) && !implied.has(a)).sort();
    if (extra.length) {
      throw new Error(
        `ROLES['${role}'] in iam/roles.ts allows ${extra.join(', ')}, which nothing in ${ENTRIES[role].join(', ') || 'its job'} sends: remove ${extra.length > 1 ? 'them' : 'it'}.`,
      );
    }
  });

  it('keeps "*" to actions AWS cannot scope, and names no action with a wildcard', () => {
    for (const s of policy(role, EXAMPLE_PARAMETERS).Statement) {
      for (const a of s.Action) expect(a).not.toMatch(/\*/);
      if (s.Resource.includes('*')) expect(s.Action.filter((a) => !WILDCARD_ONLY.has(a))).toEqual([]);
    }
  });

  it('is committed as rendered from the source (run `npm run iam`)', () => {
    expect(committed(role, 'policy')).toEqual(policy(role, EXAMPLE_PARAMETERS));
    expect(committed(role, 'trust')).toEqual(trustPolicy(role, EXAMPLE_PARAMETERS));
    expect(widerThanTemplate(role, committed(role, 'policy'), EXAMPLE_PARAMETERS)).toEqual([]);
  });

  const statements = policy(role, EXAMPLE_PARAMETERS).Statement;
  const widen = (mutate: (doc: PolicyDocument, i: number) => void, i: number) => {
    const doc = structuredClone(policy(role, EXAMPLE_PARAMETERS));
    mutate(doc, i);
    return widerThanTemplate(role, doc, EXAMPLE_PARAMETERS);
  };

  it.each(statements.filter((s) => !s.Resource.includes('*')).map((s) => s.Sid))(
    'fails when %s is widened to Resource "*" or a wider pattern',
    (sid) => {
      const i = statements.findIndex((s) => s.Sid === sid);
      expect(widen((doc) => (doc.Statement[i]!.Resource = ['*']), i)).not.toEqual([]);
      expect(
        widen((doc) => (doc.Statement[i]!.Resource = doc.Statement[i]!.Resource.map(widerPattern)), i),
      ).not.toEqual([]);
    },
  );

  const conditioned = statements.filter((s) => s.Condition).map((s) => s.Sid);
  (conditioned.length ? it.each(conditioned) : it.skip.each(['(none)']))(
    'fails when a condition of %s is removed or loosened',
    (sid) => {
      const i = statements.findIndex((s) => s.Sid === sid);
      expect(widen((doc) => delete doc.Statement[i]!.Condition, i)).not.toEqual([]);
      expect(
        widen((doc) => {
          for (const keys of Object.values(doc.Statement[i]!.Condition!)) {
            for (const k of Object.keys(keys)) keys[k] = '*';
          }
        }, i),
      ).not.toEqual([]);
    },
  );

  it('fails when an action is added to a statement', () => {
    expect(widen((doc) => doc.Statement[0]!.Action.push('ecs:DeleteCluster'), 0)).not.toEqual([]);
  });
});

describe('IAM roles together', () => {
  it('PassRole: widening the resource to "*" or dropping iam:PassedToService fails', () => {
    for (const role of ['deploy-rolling', 'deploy-blue-green', 'preview'] as RoleName[]) {
      const doc = policy(role, EXAMPLE_PARAMETERS);
      const i = doc.Statement.findIndex((s) => s.Action.includes('iam:PassRole'));
      expect(i).toBeGreaterThanOrEqual(0);
      const star = structuredClone(doc);
      star.Statement[i]!.Resource = ['*'];
      expect(widerThanTemplate(role, star, EXAMPLE_PARAMETERS).join('\n')).toMatch(/resource \* is wider/);
      const open = structuredClone(doc);
      delete open.Statement[i]!.Condition;
      expect(widerThanTemplate(role, open, EXAMPLE_PARAMETERS).join('\n')).toMatch(
        /iam:PassedToService is missing/,
      );
    }
  });

  it('the preview role passes only preview roles and creates rules only on the preview listener', () => {
    const doc = policy('preview', EXAMPLE_PARAMETERS);
    const pass = doc.Statement.filter((s) => s.Action.includes('iam:PassRole')).flatMap((s) => s.Resource);
    expect(pass.sort()).toEqual(
      ['web-preview-execution', 'web-preview-task'].map((r) => `arn:aws:iam::111122223333:role/${r}`),
    );
    const rules = doc.Statement.filter((s) => s.Action.includes('elasticloadbalancing:CreateRule'));
    expect(rules.flatMap((s) => s.Resource)).toEqual([EXAMPLE_PARAMETERS.preview.listener]);
    for (const s of doc.Statement.filter((s) =>
      s.Action.some((a) => a.startsWith('ecs:') && /Service$/.test(a)),
    )) {
      for (const r of s.Resource) expect(r).not.toMatch(/service\/prod\//);
    }
  });

  it('every AWS command in src/ is allowed to some role', () => {
    const all = new Set<string>();
    for (const file of sourceFiles(path.join(ROOT, 'src'))) {
      for (const a of commandsOf(file, readFileSync(file, 'utf8'))) all.add(a);
    }
    expect(all.has('ecs:RegisterTaskDefinition')).toBe(true);
    const granted = new Set(ROLE_NAMES.flatMap((r) => [...allowedActions(r)]));
    const missing = [...all].filter((a) => !granted.has(a)).sort();
    if (missing.length) {
      throw new Error(
        `No role in iam/roles.ts allows ${missing.join(', ')}: add each to the role whose job sends it.`,
      );
    }
  });

  it('trust policies: GitHub OIDC, audience sts.amazonaws.com, production only from its environment', () => {
    for (const role of ROLE_NAMES) {
      const trust = trustPolicy(role, EXAMPLE_PARAMETERS) as {
        Statement: {
          Principal: { Federated: string };
          Condition: { StringEquals: Record<string, string[] | string> };
        }[];
      };
      const [s] = trust.Statement;
      expect(s!.Principal.Federated).toMatch(/:oidc-provider\/token\.actions\.githubusercontent\.com$/);
      expect(s!.Condition.StringEquals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
      const sub = [s!.Condition.StringEquals['token.actions.githubusercontent.com:sub']].flat();
      for (const v of sub) expect(v).not.toMatch(/\*/);
      if (role.startsWith('deploy') || role === 'rollback') {
        expect(sub).toEqual(['repo:example-org/shop:environment:production']);
      }
      if (role === 'preview') expect(sub).toContain('repo:example-org/shop:pull_request');
      if (role === 'image-push') expect(sub.join()).not.toMatch(/production/);
    }
  });
});
