/**
 * `command: register` through the bundled action against the simulator: ECR tags are pinned by
 * digest, an identical definition reuses the revision, a dry run changes nothing, and the live
 * service's definition can be the source.
 */
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSteadyService, ecsClient, registerWeb } from '../sim/ecs/testing.js';
import { runAgainst, useSimulator, workspace } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('register', () => {
  let ecs: ECSClient;
  let repo: string;
  let digestV1: string;
  let digestV2: string;
  const taskDefinition = () => ({
    family: 'shop',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    // A field the action does not know, as AWS adds them: it must pass through.
    enableFaultInjection: false,
    containerDefinitions: [
      { name: 'web', image: `${repo}:v1`, essential: true, portMappings: [{ containerPort: 8080 }] },
      { name: 'worker', image: `${repo}:v1`, essential: false },
    ],
  });

  beforeAll(() => {
    ecs = ecsClient(sim());
    const v1 = sim().ecr.putImage('shop', 'v1');
    const v2 = sim().ecr.putImage('shop', 'v2');
    repo = v1.repositoryUri;
    digestV1 = v1.digest;
    digestV2 = v2.digest;
  });
  afterAll(() => ecs.destroy());

  it('registers a file with images pinned by digest, then reuses the identical revision', async () => {
    const ws = workspace({ 'td.json': taskDefinition() });
    const inputs = { command: 'register', 'task-definition': 'td.json', images: `worker=${repo}:v2` };
    const first = await runAgainst(sim(), { inputs, workspace: ws });
    expect(first.errors).toEqual([]);
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toMatchObject({
      'task-definition-family': 'shop',
      'task-definition-revision': '1',
      registered: 'true',
    });
    expect(JSON.parse(first.outputs['image-digests']!)).toEqual({ web: digestV1, worker: digestV2 });

    const { taskDefinition: registered } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'shop:1' }),
    );
    expect(registered!.containerDefinitions!.map((c) => c.image)).toEqual([
      `${repo}@${digestV1}`,
      `${repo}@${digestV2}`,
    ]);
    expect((registered as Record<string, unknown>).enableFaultInjection).toBe(false);
    expect(first.summary).toContain('Registered **shop:1**');
    expect(first.summary).toContain(digestV2);

    sim().log.clear();
    const second = await runAgainst(sim(), { inputs, workspace: ws });
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({ 'task-definition-revision': '1', registered: 'false' });
    expect(sim().log.mutations()).toEqual([]);
  });

  it('dry run shows the diff and changes nothing', async () => {
    const ws = workspace({ 'td.json': taskDefinition() });
    sim().log.clear();
    const result = await runAgainst(sim(), {
      inputs: {
        command: 'register',
        'task-definition': 'td.json',
        images: `worker=${repo}:v1`,
        'dry-run': 'true',
      },
      workspace: ws,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Dry run: would register a new revision of shop.');
    expect(result.stdout).toContain(`-      "image": "${repo}@${digestV2}"`);
    expect(result.stdout).toContain(`+      "image": "${repo}@${digestV1}"`);
    expect(result.summary).toContain('<details><summary>Task-definition diff against shop:1</summary>');
    expect(result.outputs.registered).toBe('true');
    expect(result.outputs['task-definition-arn']).toBe('');
    expect(sim().log.mutations()).toEqual([]);
  });

  it('fails before registering when an ECR tag does not exist', async () => {
    const ws = workspace({ 'td.json': taskDefinition() });
    sim().log.clear();
    const result = await runAgainst(sim(), {
      inputs: { command: 'register', 'task-definition': 'td.json', images: `web=${repo}:v9` },
      workspace: ws,
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/Image not found in ECR repository "shop" .*: v9/);
    expect(sim().log.mutations()).toEqual([]);
  });

  it('renders from the live service with new environment and image', async () => {
    const live = await registerWeb(ecs, 'api', `${repo}:v1`);
    await createSteadyService(sim(), ecs, {
      cluster: 'prod',
      service: 'api',
      taskDefinition: live,
      desiredCount: 1,
    });
    const result = await runAgainst(sim(), {
      inputs: {
        command: 'register',
        cluster: 'prod',
        service: 'api',
        images: `${repo}:v2`,
        'environment-variables': 'FEATURE_X=on',
        'pin-image-digests': 'false',
      },
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({
      'task-definition-family': 'api',
      'task-definition-revision': '2',
      registered: 'true',
    });
    const { taskDefinition: td } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'api:2' }),
    );
    expect(td!.containerDefinitions![0]).toMatchObject({
      image: `${repo}:v2`,
      environment: [{ name: 'FEATURE_X', value: 'on' }],
    });
    expect(result.summary).toContain('Task-definition diff against api:1');
  });
});
