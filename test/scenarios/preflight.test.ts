/**
 * Pre-flight: what ECS would refuse halfway through a deploy is refused before any AWS change,
 * with what to do. Each case failed on the code before the checks: the deploy changed things
 * (a lock rule, a revision, an update) and then hit ECS's refusal, or succeeded without the
 * history it promised.
 */
import { CreateServiceCommand, type ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ecsClient } from '../sim/ecs/testing.js';
import { buildSampleEnvironment, type SampleEnvironment } from '../sim/sample.js';
import { FAST } from './rolling-support.js';
import { runAgainst, useSimulator, workspace } from './support.js';

const sim = useSimulator({ timeScale: 300 });

describe('pre-flight refusals', () => {
  let ecs: ECSClient;
  let env: SampleEnvironment;
  beforeAll(async () => {
    ecs = ecsClient(sim());
    // `web` keeps the old short ARN, as services created before the long format was the default.
    env = await buildSampleEnvironment(sim(), { shortServiceArn: true, desiredCount: 1 });
  }, 60_000);
  afterAll(() => ecs.destroy());

  const deploy = (service: string, extra: Record<string, string> = {}, ws?: string) =>
    runAgainst(sim(), {
      inputs: { cluster: env.cluster, service, images: `${env.repositoryUri}:v2`, ...FAST, ...extra },
      workspace: ws,
    });
  const refusedUntouched = (result: Awaited<ReturnType<typeof deploy>>) => {
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain('Nothing was changed.');
    expect(sim().log.mutations()).toEqual([]);
  };

  it('refuses a service with the short ARN and names serviceLongArnFormat', async () => {
    sim().log.clear();
    const result = await deploy(env.service);
    refusedUntouched(result);
    expect(result.errors.join('\n')).toMatch(
      /Service "web" still has the old short ARN \(arn:aws:ecs:us-east-1:123456789012:service\/web\), which ECS cannot tag; .*serviceLongArnFormat/,
    );
  });

  it('refuses CODE_DEPLOY and EXTERNAL deployment controllers', async () => {
    for (const type of ['CODE_DEPLOY', 'EXTERNAL'] as const) {
      const name = `ctl-${type.toLowerCase().replace('_', '-')}`;
      await ecs.send(
        new CreateServiceCommand({
          cluster: env.cluster,
          serviceName: name,
          taskDefinition: env.taskDefinitionArn,
          desiredCount: 0,
          deploymentController: { type },
        }),
      );
      sim().log.clear();
      const result = await deploy(name);
      refusedUntouched(result);
      expect(result.errors.join('\n')).toContain(`Service "${name}" uses the ${type} deployment controller`);
    }
  });

  it('refuses a task definition over 64 KiB before the release lock or a revision', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: env.cluster,
        serviceName: 'big',
        taskDefinition: env.taskDefinitionArn,
        desiredCount: 0,
        launchType: 'FARGATE',
        loadBalancers: [{ targetGroupArn: env.targetGroupArn, containerName: 'web', containerPort: 8080 }],
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } },
      }),
    );
    const ws = workspace({
      'td.json': {
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'web',
            image: `${env.repositoryUri}:v2`,
            portMappings: [{ containerPort: 8080 }],
            environment: Array.from({ length: 70 }, (_, i) => ({
              name: `BLOB_${i}`,
              value: 'x'.repeat(1000),
            })),
          },
        ],
      },
    });
    sim().log.clear();
    const result = await deploy('big', { 'task-definition': 'td.json', images: '' }, ws);
    refusedUntouched(result);
    expect(result.errors.join('\n')).toMatch(
      /is \d+ bytes as JSON; ECS accepts at most 64 KiB \(65536 bytes\)/,
    );
  });

  it('refuses a definition rendered from the live service over 64 KiB before the release lock or a revision', async () => {
    // No "task-definition": the overrides are rendered onto what `big` runs, behind its listener.
    const blob = 'y'.repeat(1000);
    const environment = Array.from({ length: 70 }, (_, i) => `BLOB_${i}=${blob}`).join('\n');
    sim().log.clear();
    const result = await deploy('big', { 'environment-variables': environment });
    refusedUntouched(result);
    expect(result.errors.join('\n')).toMatch(
      /Task definition family "web" is \d+ bytes as JSON; ECS accepts at most 64 KiB \(65536 bytes\)/,
    );
    // Read only, and nothing of the lock: no CreateRule, no RegisterTaskDefinition, no UpdateService.
    expect(sim().log.calls.map((c) => c.operation)).not.toContain('CreateRule');
    expect(sim().log.calls.map((c) => c.operation)).toContain('DescribeTaskDefinition');
  });

  it('refuses a service whose own tags leave no room for the deployment history', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: env.cluster,
        serviceName: 'tagged',
        taskDefinition: env.taskDefinitionArn,
        desiredCount: 0,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } },
      }),
    );
    const arn = sim().ecs.getService(env.cluster, 'tagged')!.arn;
    await ecs.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: Array.from({ length: 50 }, (_, i) => ({ key: `cost-${i}`, value: String(i) })),
      }),
    );
    sim().log.clear();
    const result = await deploy('tagged');
    refusedUntouched(result);
    expect(result.errors.join('\n')).toContain("has 50 tags of its own, ECS's limit of 50");
  });
});
