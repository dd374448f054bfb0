/**
 * Deploy inputs of the official deploy action through the bundled action against the
 * simulator: a bare family name (its latest ACTIVE revision), managed tags and tag propagation
 * reaching the tasks, `wait: false` (started, not watched, outcome unknown, nothing undone by the
 * post step), and a service-managed EBS volume, which ECS refuses for a volume the task
 * definition does not configure at launch.
 */
import { type ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ecsClient, registerWeb } from '../sim/ecs/testing.js';
import { FAST, liveService } from './rolling-support.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 300 });
const ROLE = 'arn:aws:iam::123456789012:role/ecs-infrastructure';

describe('deploy parity', () => {
  let ecs: ECSClient;
  beforeAll(() => {
    ecs = ecsClient(sim());
  });
  afterAll(() => ecs.destroy());

  it('wait: false with a bare family name and managed tags: started, not watched, the outcome unknown', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'tags', service: 'api' });
    const v2 = await registerWeb(ecs, 'api', `${live.repo}:v2`);
    const first = sim().log.calls.length;
    const result = await runAgainst(sim(), {
      inputs: {
        cluster: 'tags',
        service: 'api',
        'task-definition': 'api',
        wait: 'false',
        'enable-ecs-managed-tags': 'true',
        'propagate-tags': 'SERVICE',
        ...FAST,
      },
      post: true,
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('started');
    expect(result.outputs['deployment-id']).toMatch(/^ecs-svc\/\d{19}$/);
    expect(result.outputs['task-definition-arn']).toBe(v2);
    expect(result.summary).toContain('the outcome is unknown');
    const calls = sim().log.calls.slice(first);
    expect(calls.filter((c) => c.operation === 'UpdateService')).toHaveLength(1);
    expect(calls.find((c) => c.operation === 'UpdateService')!.params).toMatchObject({
      taskDefinition: v2,
      enableECSManagedTags: true,
      propagateTags: 'SERVICE',
    });
    // Not watched: once UpdateService answered, nothing polled the deployment.
    const update = calls.findIndex((c) => c.operation === 'UpdateService');
    expect(calls.slice(update + 1).filter((c) => c.operation === 'DescribeServices')).toEqual([]);
    // ECS goes on without the action; its new tasks carry the managed tags.
    await sim().ecs.waitForSteady('tags', 'api', { timeoutMs: 20_000 });
    const task = sim().ecs.healthyTasks('tags', 'api')[0]!;
    expect(task.taskDefinitionArn).toBe(v2);
    expect(task.tags).toEqual(expect.arrayContaining([{ key: 'aws:ecs:serviceName', value: 'api' }]));
  });

  it('configures a service-managed EBS volume at deploy time, and fails clearly for a volume not configured at launch', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'ebs', service: 'db' });
    const withVolume = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'db',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        volumes: [{ name: 'data', configuredAtLaunch: true }],
        containerDefinitions: [
          {
            name: 'web',
            image: `${live.repo}:v2`,
            essential: true,
            portMappings: [{ containerPort: 8080 }],
            mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }],
          },
        ],
      }),
    );
    const arn = withVolume.taskDefinition!.taskDefinitionArn!;
    const volume = (name: string) =>
      JSON.stringify({ name, roleArn: ROLE, sizeInGiB: 20, volumeType: 'gp3' });
    const ok = await runAgainst(sim(), {
      inputs: {
        cluster: 'ebs',
        service: 'db',
        'task-definition': arn,
        'ebs-volume': volume('data'),
        ...FAST,
      },
    });
    expect(ok.errors).toEqual([]);
    expect(ok.outputs.status).toBe('succeeded');
    expect(sim().ecs.getService('ebs', 'db')!.extra.volumeConfigurations).toEqual([
      { name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 20, volumeType: 'gp3' } },
    ]);
    const bad = await runAgainst(sim(), {
      inputs: {
        cluster: 'ebs',
        service: 'db',
        'task-definition': arn,
        'ebs-volume': volume('logs'),
        ...FAST,
      },
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.errors.join('\n')).toContain('is not a volume configured at launch');
  });
});
