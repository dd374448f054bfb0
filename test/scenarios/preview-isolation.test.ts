/**
 * A pull request cannot widen its preview, through the bundled action: preview settings come
 * from the config file of the base commit's checkout (`base-config`), never from the pull
 * request's own files, and the preview never runs with the base service's roles or secrets.
 * - the PR's config points previews at the production listener and names an admin role: no
 *   effect, the rule goes on the preview listener and the preview has no role or secret;
 * - `config` (the PR's checkout) for a preview command, or a `base-config` whose checkout is not
 *   at the base commit: refused before any AWS call;
 * - preview roles and secrets named in the base config are exactly what the preview gets.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { DescribeRulesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeGitHub } from '../github/fake-github.js';
import {
  buildPreviewEnvironment,
  clients,
  DOMAIN,
  type PreviewEnvironment,
  runPreview,
} from './preview-support.js';
import { useSimulator, workspace } from './support.js';

const sim = useSimulator({ timeScale: 600 });
let github: FakeGitHub;
let env: PreviewEnvironment;

const BASE = 'b'.repeat(40);
const HEAD = 'c'.repeat(40);
const ACCOUNT = '123456789012';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}`;

/** The runner's workspace: the pull request's checkout at the root, the base commit's in `base/`. */
function checkouts(baseConfig: string, prConfig: string): string {
  const dir = workspace({ '.github/deploy.yml': prConfig, 'base/.github/deploy.yml': baseConfig });
  for (const [sub, sha] of [
    ['.', HEAD],
    ['base', BASE],
  ] as const) {
    mkdirSync(path.join(dir, sub, '.git'), { recursive: true });
    writeFileSync(path.join(dir, sub, '.git', 'HEAD'), `${sha}\n`);
  }
  return dir;
}

const baseConfig = (extra = '') =>
  [
    `cluster: ${env.sample.cluster}`,
    `service: ${env.sample.service}`,
    `preview-listener: ${env.listenerArn}`,
    `preview-domain: ${DOMAIN}`,
    'poll-interval: 100ms',
    'timeout: 60s',
    extra,
  ].join('\n');

/** What the pull request would like its preview to be: on production, with an admin role. */
const hostileConfig = () =>
  [
    `cluster: ${env.sample.cluster}`,
    `service: ${env.sample.service}`,
    `preview-listener: ${env.sample.listenerArn}`,
    `preview-domain: ${DOMAIN}`,
    `preview-task-role-arn: ${role('admin')}`,
    `task-role-arn: ${role('admin')}`,
    `preview-secrets: DB_PASSWORD=${secret('prod-db')}`,
  ].join('\n');

/** Only what the workflow passes: the command, the image, the base config, the token. */
const UNSET = {
  cluster: undefined,
  service: undefined,
  'preview-listener': undefined,
  'preview-domain': undefined,
};

async function previewDefinition(pr: number) {
  const { ecs } = clients(sim());
  try {
    const svc = await ecs.send(
      new DescribeServicesCommand({ cluster: env.sample.cluster, services: [`web-pr-${pr}`] }),
    );
    const td = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: svc.services![0]!.taskDefinition! }),
    );
    return td.taskDefinition!;
  } finally {
    ecs.destroy();
  }
}

async function ruleCount(listenerArn: string): Promise<number> {
  const { elb } = clients(sim());
  try {
    return (await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules!.length;
  } finally {
    elb.destroy();
  }
}

beforeAll(async () => {
  github = await FakeGitHub.start();
  env = await buildPreviewEnvironment(sim());
  // Production runs with its own roles and a secret: none of it may reach a preview.
  const { ecs } = clients(sim());
  try {
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        taskRoleArn: role('web-task'),
        executionRoleArn: role('web-execution'),
        containerDefinitions: [
          {
            name: 'web',
            image: env.sample.images.v1,
            essential: true,
            portMappings: [{ containerPort: 8080 }],
            secrets: [{ name: 'DB_PASSWORD', valueFrom: secret('prod-db') }],
          },
        ],
      }),
    );
    await ecs.send(
      new UpdateServiceCommand({
        cluster: env.sample.cluster,
        service: env.sample.service,
        taskDefinition: td.taskDefinition!.taskDefinitionArn!,
      }),
    );
  } finally {
    ecs.destroy();
  }
}, 60_000);
afterAll(async () => {
  await github.stop();
});

describe('preview isolation', () => {
  it('a PR config pointing at the production listener and naming a role changes nothing', async () => {
    const productionRules = await ruleCount(env.sample.listenerArn);
    const ws = checkouts(baseConfig(), hostileConfig());
    sim().log.clear();
    const result = await runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 21,
      sha: HEAD,
      baseSha: BASE,
      workspace: ws,
      inputs: { ...UNSET, 'base-config': 'base/.github/deploy.yml', images: env.sample.images.v2 },
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);

    const created = sim().log.calls.filter((c) => c.operation === 'CreateRule');
    expect(created.map((c) => c.params.ListenerArn)).toEqual([env.listenerArn]);
    expect(await ruleCount(env.sample.listenerArn)).toBe(productionRules);

    const td = await previewDefinition(21);
    expect(td.taskRoleArn).toBeUndefined();
    expect(td.executionRoleArn).toBeUndefined();
    expect(td.containerDefinitions!.flatMap((c) => c.secrets ?? [])).toEqual([]);
    expect(JSON.stringify(td)).not.toContain('admin');
    expect(JSON.stringify(td)).not.toContain('prod-db');
  });

  it('refuses the PR checkout as config, or a base-config not at the base commit, before any AWS call', async () => {
    const ws = checkouts(baseConfig(), hostileConfig());
    for (const [inputs, error] of [
      [{ config: '.github/deploy.yml' }, /Input "config" is not read by command "preview-up"/],
      [
        { 'base-config': '.github/deploy.yml' },
        new RegExp(
          `Input "base-config": .github/deploy.yml is at commit ${HEAD}, not at the pull request's base commit ${BASE}`,
        ),
      ],
    ] as const) {
      sim().log.clear();
      const result = await runPreview(sim(), github, env, {
        command: 'preview-up',
        pr: 22,
        sha: HEAD,
        baseSha: BASE,
        workspace: ws,
        inputs: { ...UNSET, ...inputs, images: env.sample.images.v2 },
      });
      expect(result.exitCode).toBe(1);
      expect(result.errors.join('\n')).toMatch(error);
      expect(sim().log.calls.filter((c) => c.userAgent?.includes('deploy-action'))).toEqual([]);
    }
  });

  it('gives a preview exactly the roles and secrets the base config names for previews', async () => {
    const ws = checkouts(
      baseConfig(
        [
          `preview-task-role-arn: ${role('web-preview-task')}`,
          `preview-execution-role-arn: ${role('web-preview-execution')}`,
          'preview-secrets:',
          `  DB_PASSWORD: ${secret('preview-db')}`,
        ].join('\n'),
      ),
      hostileConfig(),
    );
    const result = await runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 23,
      sha: HEAD,
      baseSha: BASE,
      workspace: ws,
      inputs: { ...UNSET, 'base-config': 'base/.github/deploy.yml', images: env.sample.images.v2 },
    });
    expect(result.errors).toEqual([]);
    const td = await previewDefinition(23);
    expect(td.taskRoleArn).toBe(role('web-preview-task'));
    expect(td.executionRoleArn).toBe(role('web-preview-execution'));
    expect(td.containerDefinitions!.flatMap((c) => c.secrets ?? [])).toEqual([
      { name: 'DB_PASSWORD', valueFrom: secret('preview-db') },
    ]);
  });

  it("sets only the environment names the base config allows, and never prints the pull request's values", async () => {
    const allow = 'preview-allowed-environment: [FEATURE_FLAG, LOG_LEVEL]';
    const printed = (r: Awaited<ReturnType<typeof runPreview>>) =>
      [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs), JSON.stringify(r.state)].join('\n');
    const ws = checkouts(baseConfig(allow), hostileConfig());
    sim().log.clear();
    const refused = await runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 24,
      sha: HEAD,
      baseSha: BASE,
      workspace: ws,
      inputs: {
        ...UNSET,
        'base-config': 'base/.github/deploy.yml',
        images: env.sample.images.v2,
        'preview-environment': 'LOG_LEVEL=debug-value-24\nDATABASE_URL=postgres://prod-db-value-24',
      },
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.errors.join('\n')).toContain(
      'Input "preview-environment" sets DATABASE_URL, which the base config does not allow for previews. Expected: only names listed in "preview-allowed-environment" of the base config (FEATURE_FLAG, LOG_LEVEL).',
    );
    expect(sim().log.calls.filter((c) => c.userAgent?.includes('deploy-action'))).toEqual([]);
    expect(printed(refused)).not.toMatch(/value-24/);

    const allowed = await runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 25,
      sha: HEAD,
      baseSha: BASE,
      workspace: ws,
      inputs: {
        ...UNSET,
        'base-config': 'base/.github/deploy.yml',
        images: env.sample.images.v2,
        'preview-environment': 'FEATURE_FLAG=new-checkout,beta=on-25\nLOG_LEVEL=debug-value-25',
      },
    });
    expect(allowed.errors).toEqual([]);
    const td = await previewDefinition(25);
    expect(td.containerDefinitions![0]!.environment).toEqual(
      expect.arrayContaining([
        { name: 'FEATURE_FLAG', value: 'new-checkout,beta=on-25' },
        { name: 'LOG_LEVEL', value: 'debug-value-25' },
      ]),
    );
    expect(printed(allowed)).not.toMatch(/beta=on-25|debug-value-25/);
  });
});
