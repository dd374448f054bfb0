/**
 * Renders the IAM policies and OIDC trust policies of iam/roles.ts.
 *
 *   npm run iam -- --account 111122223333 --region eu-west-1 --repository org/app \
 *     --cluster prod --services web,web-blue,web-green --task-roles web-task \
 *     --execution-roles web-execution --listeners arn:…,arn:… --repositories app/web \
 *     --preview-cluster previews --preview-listener arn:… --preview-apps web \
 *     --preview-repositories app/web-previews --preview-task-roles web-preview-task \
 *     --preview-execution-roles web-preview-execution \
 *     --out ./iam-out
 *
 * Without --account it renders the example parameters into iam/example/ and the README's IAM
 * section; `--check` fails when those are stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  EXAMPLE_PARAMETERS,
  type IamParameters,
  IMPLIED,
  policy,
  ROLE_NAMES,
  ROLES,
  trustedSubjects,
  trustPolicy,
  WILDCARD_ONLY,
} from '../iam/roles.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const LIST_OPTIONS = [
  'services',
  'families',
  'task-roles',
  'execution-roles',
  'infrastructure-roles',
  'listeners',
  'repositories',
  'preview-apps',
  'preview-repositories',
  'preview-task-roles',
  'preview-execution-roles',
] as const;
const TEXT_OPTIONS = [
  'account',
  'region',
  'repository',
  'environment',
  'build-environment',
  'default-branch',
  'cluster',
  'registry-account',
  'preview-cluster',
  'preview-listener',
  'out',
] as const;

const { values } = parseArgs({
  options: {
    ...Object.fromEntries([...LIST_OPTIONS, ...TEXT_OPTIONS].map((o) => [o, { type: 'string' as const }])),
    check: { type: 'boolean' },
  },
});
const given = values as Record<string, string | boolean | undefined>;
const text = (name: (typeof TEXT_OPTIONS)[number]) => given[name] as string | undefined;
const list = (name: (typeof LIST_OPTIONS)[number]) =>
  ((given[name] as string | undefined) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function required(name: (typeof TEXT_OPTIONS)[number]): string {
  const value = text(name);
  if (!value) throw new Error(`--${name} is required`);
  return value;
}

function parametersFromArgs(): IamParameters {
  const account = required('account');
  if (!/^\d{12}$/.test(account)) throw new Error('--account: expected a 12-digit AWS account id');
  return {
    account,
    region: required('region'),
    repository: required('repository'),
    environment: text('environment') ?? 'production',
    buildEnvironment: text('build-environment') ?? 'build',
    defaultBranch: text('default-branch') ?? 'main',
    cluster: required('cluster'),
    services: list('services'),
    families: list('families'),
    taskRoles: list('task-roles'),
    executionRoles: list('execution-roles'),
    infrastructureRoles: list('infrastructure-roles'),
    listeners: list('listeners'),
    repositories: list('repositories'),
    registryAccount: text('registry-account') ?? account,
    preview: {
      cluster: text('preview-cluster') ?? required('cluster'),
      listener: text('preview-listener') ?? '',
      apps: list('preview-apps'),
      repositories: list('preview-repositories'),
      taskRoles: list('preview-task-roles'),
      executionRoles: list('preview-execution-roles'),
    },
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** `<role>.policy.json` and `<role>.trust.json` for every role. */
function renderFiles(p: IamParameters): Record<string, string> {
  const files: Record<string, string> = {};
  for (const role of ROLE_NAMES) {
    files[`${role}.policy.json`] = json(policy(role, p));
    files[`${role}.trust.json`] = json(trustPolicy(role, p));
  }
  return files;
}

function readmeSection(p: IamParameters): string {
  const out: string[] = [];
  out.push(
    'One role per job, each generated from [`iam/roles.ts`](iam/roles.ts) (`npm run iam -- --account … --region … --cluster … --services …`, see the script for every option). The example rendering is in [`iam/example/`](iam/example/).',
    '',
    '| Role | Assumed by (OIDC `sub`) |',
    '| --- | --- |',
    ...ROLE_NAMES.map(
      (r) =>
        `| \`${r}\` | ${trustedSubjects(r, p)
          .map((s) => `\`${s}\``)
          .join('<br>')} |`,
    ),
    '',
    "Every trust policy also requires `aud` `sts.amazonaws.com` and GitHub's OIDC provider (`token.actions.githubusercontent.com`).",
    '',
  );
  for (const role of ROLE_NAMES) {
    out.push(`### \`${role}\``, '', '| Statement | Actions | Resources | Why |', '| --- | --- | --- | --- |');
    for (const s of policy(role, p).Statement) {
      const why = ROLES[role].find((t) => t.sid === s.Sid)?.why ?? '';
      const condition = s.Condition
        ? `<br>when ${Object.entries(s.Condition)
            .flatMap(([op, keys]) =>
              Object.entries(keys).map(([k, v]) => `${op} \`${k}\` = ${[v].flat().join(', ')}`),
            )
            .join('; ')}`
        : '';
      out.push(
        `| ${s.Sid} | ${s.Action.map((a) => `\`${a}\``).join('<br>')} | ${s.Resource.map((r) => `\`${r}\``).join('<br>')}${condition} | ${why} |`,
      );
    }
    out.push('');
  }
  out.push(
    'Actions that AWS cannot scope to a resource (the Service Authorization Reference lists no resource type for them), and so take `"*"`: ' +
      [...WILDCARD_ONLY].map((a) => `\`${a}\``).join(', ') +
      '.',
    '',
    'Permissions AWS checks beside an API action: ' +
      Object.entries(IMPLIED)
        .map(([a, also]) => `\`${a}\` also needs ${also.map((x) => `\`${x}\``).join(', ')}`)
        .join('; ') +
      '.',
  );
  return out.join('\n');
}

function main(): void {
  const check = values.check === true;
  const stale: string[] = [];
  const write = (file: string, content: string) => {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {}
    if (current === content) return;
    if (check) stale.push(path.relative(ROOT, file));
    else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  };
  if (text('account')) {
    const out = path.resolve(text('out') ?? '.');
    for (const [name, content] of Object.entries(renderFiles(parametersFromArgs()))) {
      write(path.join(out, name), content);
    }
    return;
  }
  for (const [name, content] of Object.entries(renderFiles(EXAMPLE_PARAMETERS))) {
    write(path.join(ROOT, 'iam', 'example', name), content);
  }
  const readmePath = path.join(ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = '<!-- iam-policy:start -->';
  const end = '<!-- iam-policy:end -->';
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md lacks the ${start} … ${end} markers`);
  write(
    readmePath,
    `${readme.slice(0, i + start.length)}\n${readmeSection(EXAMPLE_PARAMETERS)}\n${readme.slice(j)}`,
  );
  if (stale.length) {
    console.error(`Stale generated files: ${stale.join(', ')}. Run \`npm run iam\` and commit the result.`);
    process.exit(1);
  }
}

main();
