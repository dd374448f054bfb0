import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../src/aws/clients.js';
import type { Overrides } from '../../src/settings/settings.js';
import { parseEcrImage, pinImages } from '../../src/taskdef/images.js';
import { canonicalJson, type TaskDefinitionInput, toRegisterInput } from '../../src/taskdef/normalize.js';
import { registerTaskDefinition } from '../../src/taskdef/register.js';
import { render } from '../../src/taskdef/render.js';

const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

function source(): TaskDefinitionInput {
  return {
    family: 'shop',
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'web',
        image: `${REGISTRY}/web:1`,
        environment: [
          { name: 'MODE', value: 'prod' },
          { name: 'KEEP', value: 'yes' },
        ],
        secrets: [{ name: 'DB_URL', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/db-url' }],
      },
      { name: 'worker', image: `${REGISTRY}/worker:1` },
      { name: 'proxy', image: 'envoyproxy/envoy:v1.31' },
    ],
  };
}

const none: Overrides = { images: [], environment: [], secrets: [] };

describe('render', () => {
  it('replaces images per container and leaves the others alone', () => {
    const out = render(source(), {
      ...none,
      images: [
        ['web', `${REGISTRY}/web:2`],
        ['worker', `${REGISTRY}/worker:7`],
      ],
    });
    expect(out.containerDefinitions!.map((c) => c.image)).toEqual([
      `${REGISTRY}/web:2`,
      `${REGISTRY}/worker:7`,
      'envoyproxy/envoy:v1.31',
    ]);
  });

  it('applies an unnamed image, env and secrets to the main container (first, or `container`)', () => {
    const out = render(source(), {
      ...none,
      container: 'worker',
      images: [['', `${REGISTRY}/worker:9`]],
      environment: [
        ['QUEUE', 'jobs'],
        ['web/MODE', 'canary'],
      ],
      secrets: [['web/DB_URL', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-2']],
    });
    const [web, worker] = out.containerDefinitions!;
    expect(worker!.image).toBe(`${REGISTRY}/worker:9`);
    expect(worker!.environment).toEqual([{ name: 'QUEUE', value: 'jobs' }]);
    // Merged, not replaced: KEEP survives, MODE changes in place.
    expect(web!.environment).toEqual([
      { name: 'MODE', value: 'canary' },
      { name: 'KEEP', value: 'yes' },
    ]);
    expect(web!.secrets).toEqual([
      { name: 'DB_URL', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-2' },
    ]);
  });

  it('sets cpu, memory and roles', () => {
    const out = render(source(), {
      ...none,
      cpu: '1024',
      memory: '2048',
      taskRoleArn: 'arn:aws:iam::123456789012:role/app',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    });
    expect([out.cpu, out.memory, out.taskRoleArn, out.executionRoleArn]).toEqual([
      '1024',
      '2048',
      'arn:aws:iam::123456789012:role/app',
      'arn:aws:iam::123456789012:role/exec',
    ]);
  });

  it('names the input and the containers when a container is unknown', () => {
    expect(() => render(source(), { ...none, images: [['api', 'x:1']] })).toThrow(
      /Input "images": no container named "api" .*Expected one of: web, worker, proxy/,
    );
    expect(() => render(source(), { ...none, environment: [['db/X', '1']] })).toThrow(
      /Input "environment-variables"/,
    );
  });

  it('does not modify its input', () => {
    const src = source();
    render(src, { ...none, images: [['web', 'x:2']] });
    expect(src.containerDefinitions![0]!.image).toBe(`${REGISTRY}/web:1`);
  });
});

describe('toRegisterInput', () => {
  it('strips only the read-only fields, keeps unknown fields, drops nulls', () => {
    const described = {
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop:4',
      revision: 4,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
      compatibilities: ['EC2', 'FARGATE'],
      registeredAt: new Date(),
      registeredBy: 'arn:aws:iam::123456789012:user/ci',
      deregisteredAt: null,
      family: 'shop',
      enableFaultInjection: false,
      someFieldAwsAddsNextYear: { mode: 'on' },
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: null },
      containerDefinitions: [
        { name: 'web', image: 'x:1', restartPolicy: { enabled: true }, healthCheck: null },
      ],
    };
    expect(toRegisterInput(described)).toEqual({
      family: 'shop',
      enableFaultInjection: false,
      someFieldAwsAddsNextYear: { mode: 'on' },
      runtimePlatform: { cpuArchitecture: 'ARM64' },
      containerDefinitions: [{ name: 'web', image: 'x:1', restartPolicy: { enabled: true } }],
    });
  });

  it('unwraps the CLI output and keeps its tags', () => {
    const cli = {
      taskDefinition: { family: 'shop', containerDefinitions: [{ name: 'web' }], revision: 2 },
      tags: [{ key: 'team', value: 'a' }],
    };
    expect(toRegisterInput(cli)).toEqual({
      family: 'shop',
      containerDefinitions: [{ name: 'web' }],
      tags: [{ key: 'team', value: 'a' }],
    });
  });

  it('compares definitions regardless of key order, empty lists and env order', () => {
    const a = toRegisterInput({
      family: 'f',
      containerDefinitions: [
        {
          name: 'w',
          essential: true,
          environment: [
            { name: 'B', value: '2' },
            { name: 'A', value: '1' },
          ],
          mountPoints: [],
        },
      ],
    });
    const b = toRegisterInput({
      containerDefinitions: [
        {
          environment: [
            { value: '1', name: 'A' },
            { name: 'B', value: '2' },
          ],
          name: 'w',
        },
      ],
      family: 'f',
      volumes: [],
    });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });
});

function clientsWith(ecs: ECSClient, ecr: ECRClient): AwsClients {
  return { region: 'eu-west-1', ecs, ecr: () => ecr } as unknown as AwsClients;
}

describe('pinImages', () => {
  const ecr = mockClient(ECRClient);
  beforeEach(() => {
    ecr.reset();
  });

  it('parses ECR URIs and leaves other registries alone', () => {
    expect(parseEcrImage(`${REGISTRY}/team/web:1.2`)).toMatchObject({
      registryId: '123456789012',
      region: 'eu-west-1',
      repository: 'team/web',
      tag: '1.2',
    });
    expect(parseEcrImage(`${REGISTRY}/web`)).toMatchObject({ tag: 'latest' });
    expect(parseEcrImage('envoyproxy/envoy:v1')).toBeUndefined();
    expect(parseEcrImage('public.ecr.aws/nginx/nginx:1')).toBeUndefined();
  });

  it('pins each ECR tag by digest with one call per repository', async () => {
    ecr
      .on(DescribeImagesCommand, { repositoryName: 'web' })
      .resolves({ imageDetails: [{ imageDigest: DIGEST_A, imageTags: ['1', 'latest'] }] });
    ecr
      .on(DescribeImagesCommand, { repositoryName: 'worker' })
      .resolves({ imageDetails: [{ imageDigest: DIGEST_B, imageTags: ['1'] }] });
    const def = source();
    const pinned = await pinImages(def, clientsWith(new ECSClient({}), new ECRClient({})), true);
    expect(pinned).toEqual([
      // The tag as asked for and the registry stay known for the summary after pinning.
      {
        container: 'web',
        image: `${REGISTRY}/web@${DIGEST_A}`,
        digest: DIGEST_A,
        registry: REGISTRY,
        requested: 'web:1',
      },
      {
        container: 'worker',
        image: `${REGISTRY}/worker@${DIGEST_B}`,
        digest: DIGEST_B,
        registry: REGISTRY,
        requested: 'worker:1',
      },
      { container: 'proxy', image: 'envoyproxy/envoy:v1.31' },
    ]);
    expect(def.containerDefinitions!.map((c) => c.image)).toEqual([
      `${REGISTRY}/web@${DIGEST_A}`,
      `${REGISTRY}/worker@${DIGEST_B}`,
      'envoyproxy/envoy:v1.31',
    ]);
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(2);
  });

  it('keeps tags but still reports digests when pinning is off', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST_A, imageTags: ['1'] }] });
    const def = source();
    def.containerDefinitions = def.containerDefinitions!.slice(0, 1);
    const pinned = await pinImages(def, clientsWith(new ECSClient({}), new ECRClient({})), false);
    expect(pinned[0]).toEqual({
      container: 'web',
      image: `${REGISTRY}/web:1`,
      digest: DIGEST_A,
      registry: REGISTRY,
      requested: 'web:1',
    });
    expect(def.containerDefinitions[0]!.image).toBe(`${REGISTRY}/web:1`);
  });

  it('names the missing tag and repository', async () => {
    const notFound = Object.assign(new Error('The image with imageId {imageTag:1} does not exist'), {
      name: 'ImageNotFoundException',
    });
    ecr.on(DescribeImagesCommand).rejects(notFound);
    const def = source();
    def.containerDefinitions = def.containerDefinitions!.slice(0, 1);
    await expect(pinImages(def, clientsWith(new ECSClient({}), new ECRClient({})), true)).rejects.toThrow(
      /Image not found in ECR repository "web" \(account 123456789012, region eu-west-1\): 1/,
    );
  });

  it('names a missing repository', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('no repo'), { name: 'RepositoryNotFoundException' }));
    const def = source();
    def.containerDefinitions = def.containerDefinitions!.slice(1, 2);
    await expect(pinImages(def, clientsWith(new ECSClient({}), new ECRClient({})), true)).rejects.toThrow(
      /ECR repository "worker" does not exist in account 123456789012, region eu-west-1/,
    );
  });
});

describe('registerTaskDefinition', () => {
  const ecs = mockClient(ECSClient);
  beforeEach(() => {
    ecs.reset();
  });
  const latestArn = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop:4';
  const clients = () => clientsWith(new ECSClient({}), new ECRClient({}));

  it('reuses the latest revision when the rendered definition is identical', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        ...source(),
        taskDefinitionArn: latestArn,
        revision: 4,
        status: 'ACTIVE',
        compatibilities: ['FARGATE'],
      },
    });
    const result = await registerTaskDefinition(clients(), source(), { dryRun: false });
    expect(result).toMatchObject({ arn: latestArn, revision: 4, registered: false, diff: '' });
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('registers a new revision when something changed', async () => {
    ecs
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: { ...source(), taskDefinitionArn: latestArn, revision: 4 } });
    ecs
      .on(RegisterTaskDefinitionCommand)
      .resolves({ taskDefinition: { taskDefinitionArn: latestArn.replace(':4', ':5') } });
    const changed = render(source(), { ...none, images: [['web', `${REGISTRY}/web:2`]] });
    const result = await registerTaskDefinition(clients(), changed, { dryRun: false });
    expect(result).toMatchObject({ revision: 5, registered: true });
    expect(result.diff).toContain(`-      "image": "${REGISTRY}/web:1"`);
    expect(result.diff).toContain(`+      "image": "${REGISTRY}/web:2"`);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input).toEqual(changed);
  });

  it('registers the first revision of a new family', async () => {
    ecs
      .on(DescribeTaskDefinitionCommand)
      .rejects(Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' }));
    ecs
      .on(RegisterTaskDefinitionCommand)
      .resolves({ taskDefinition: { taskDefinitionArn: latestArn.replace(':4', ':1') } });
    const result = await registerTaskDefinition(clients(), source(), { dryRun: false });
    expect(result).toMatchObject({ revision: 1, registered: true, baselineLabel: '(no earlier revision)' });
  });

  it('in a dry run shows the diff and registers nothing', async () => {
    ecs
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: { ...source(), taskDefinitionArn: latestArn, revision: 4 } });
    const changed = render(source(), { ...none, memory: '1024' });
    const result = await registerTaskDefinition(clients(), changed, { dryRun: true });
    expect(result).toMatchObject({ registered: true, baselineLabel: 'shop:4' });
    expect(result.arn).toBeUndefined();
    expect(result.diff).toMatch(/-\s+"memory": "512"/);
    expect(result.diff).toMatch(/\+\s+"memory": "1024"/);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });
});
