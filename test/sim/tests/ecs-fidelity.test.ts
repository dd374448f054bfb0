/**
 * ECS rules the API reference states, held by the simulator as AWS holds them (sources in
 * test/sim/README.md, fidelity table).
 */
import {
  ClientException,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  InvalidParameterException,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSteadyService, ecsClient, registerWeb } from '../ecs/testing.js';
import { Simulator } from '../index.js';
import { buildSampleEnvironment, type SampleEnvironment } from '../sample.js';

describe('ECS fidelity rules', () => {
  let sim: Simulator;
  let ecs: ECSClient;
  let env: SampleEnvironment;
  let serviceArn: string;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 600 });
    ecs = ecsClient(sim);
    env = await buildSampleEnvironment(sim, { shortServiceArn: true, desiredCount: 1 });
    const td = await registerWeb(ecs, 'rules', 'nginx:latest');
    await createSteadyService(sim, ecs, {
      cluster: 'rules',
      service: 'tagged',
      taskDefinition: td,
      desiredCount: 0,
    });
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'rules', services: ['tagged'] }));
    serviceArn = out.services![0]!.serviceArn!;
  }, 60_000);
  afterAll(async () => {
    const schedulerError = sim.ecs.scheduler.lastError;
    ecs.destroy();
    await sim.stop();
    expect(schedulerError).toBeUndefined();
  });

  const tag = (key: string, value = 'v') =>
    ecs.send(new TagResourceCommand({ resourceArn: serviceArn, tags: [{ key, value }] }));

  describe('TagResource / UntagResource', () => {
    it('refuses a key over 128 and a value over 256 characters, accepts the limits', async () => {
      await expect(tag('k'.repeat(129))).rejects.toBeInstanceOf(InvalidParameterException);
      await expect(tag('k', 'v'.repeat(257))).rejects.toBeInstanceOf(InvalidParameterException);
      await tag('k'.repeat(128), 'v'.repeat(256));
      await ecs.send(new UntagResourceCommand({ resourceArn: serviceArn, tagKeys: ['k'.repeat(128)] }));
    });

    it('allows letters, numbers, spaces and + - = . _ : / @ only', async () => {
      await tag('team name_1.x:y/z=+-@', 'Grüße 2026');
      await expect(tag('a,b')).rejects.toBeInstanceOf(InvalidParameterException);
      await expect(tag('ok', 'semi;colon')).rejects.toBeInstanceOf(InvalidParameterException);
      await expect(tag('json', '{"a":1}')).rejects.toThrow(/not allowed/);
    });

    it('reserves the aws: prefix in any case, for keys and values', async () => {
      await expect(tag('aws:owner')).rejects.toThrow(/reserved/);
      await expect(tag('AWS:owner')).rejects.toThrow(/reserved/);
      await expect(tag('owner', 'aWs:me')).rejects.toThrow(/reserved/);
      await expect(
        ecs.send(new UntagResourceCommand({ resourceArn: serviceArn, tagKeys: ['aws:ecs:clusterName'] })),
      ).rejects.toBeInstanceOf(InvalidParameterException);
    });

    it('holds 50 tags per resource, counting what is already there', async () => {
      const before = (await ecs.send(new ListTagsForResourceCommand({ resourceArn: serviceArn }))).tags ?? [];
      const room = 50 - before.length;
      const tags = Array.from({ length: room }, (_, i) => ({ key: `n${i}`, value: String(i) }));
      await ecs.send(new TagResourceCommand({ resourceArn: serviceArn, tags }));
      await expect(tag('one-too-many')).rejects.toThrow('Too many tags');
      // Rewriting an existing key does not add one.
      await tag('n0', 'again');
      await ecs.send(new UntagResourceCommand({ resourceArn: serviceArn, tagKeys: tags.map((t) => t.key) }));
    });

    it('refuses to tag a service that has the short ARN, and says how to opt in', async () => {
      const out = await ecs.send(
        new DescribeServicesCommand({ cluster: env.cluster, services: [env.service] }),
      );
      const shortArn = out.services![0]!.serviceArn!;
      expect(shortArn).toBe('arn:aws:ecs:us-east-1:123456789012:service/web');
      const err = await ecs
        .send(new TagResourceCommand({ resourceArn: shortArn, tags: [{ key: 'a', value: 'b' }] }))
        .catch((e: Error) => e);
      expect(err).toBeInstanceOf(InvalidParameterException);
      expect((err as Error).message).toMatch(/new ARN and resource ID format must be enabled/);
      await expect(
        ecs.send(new UntagResourceCommand({ resourceArn: shortArn, tagKeys: ['a'] })),
      ).rejects.toBeInstanceOf(InvalidParameterException);
      // Reading its tags works; and a service created after opting back in has the long ARN.
      expect((await ecs.send(new ListTagsForResourceCommand({ resourceArn: shortArn }))).tags).toEqual([]);
      expect(serviceArn).toBe('arn:aws:ecs:us-east-1:123456789012:service/rules/tagged');
    });
  });

  describe('task definitions', () => {
    const definition = (environmentBytes: number) => ({
      family: 'big',
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx:latest',
          memory: 512,
          environment: [{ name: 'PAD', value: 'x'.repeat(environmentBytes) }],
        },
      ],
    });

    it('refuses a definition over 64 KiB and accepts one just under', async () => {
      const overhead = JSON.stringify(definition(0)).length;
      await ecs.send(new RegisterTaskDefinitionCommand(definition(65536 - overhead)));
      const err = await ecs
        .send(new RegisterTaskDefinitionCommand(definition(65537 - overhead)))
        .catch((e: Error) => e);
      expect(err).toBeInstanceOf(ClientException);
      expect((err as Error).message).toMatch(/Max allowed length is '65536' bytes/);
    });

    it('DescribeTaskDefinition returns the defaults ECS fills in, not an echo of the input', async () => {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'defaults',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            { name: 'web', image: 'nginx:latest', portMappings: [{ containerPort: 8080 }] },
          ],
        }),
      );
      const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'defaults' })))
        .taskDefinition!;
      expect(td.containerDefinitions![0]).toEqual(
        expect.objectContaining({
          cpu: 0,
          essential: true,
          portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
          environment: [],
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
        }),
      );
      expect(td.volumes).toEqual([]);
      expect(td.placementConstraints).toEqual([]);
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'bridge',
          containerDefinitions: [
            { name: 'web', image: 'nginx:latest', memory: 128, portMappings: [{ containerPort: 80 }] },
          ],
        }),
      );
      const bridge = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'bridge' })))
        .taskDefinition!;
      expect(bridge.networkMode).toBe('bridge');
      // Bridge mode leaves the host port to the instance: no hostPort is invented.
      expect(bridge.containerDefinitions![0]!.portMappings).toEqual([{ containerPort: 80, protocol: 'tcp' }]);
    });
  });

  describe('UpdateService per deployment controller', () => {
    let td2: string;
    const create = (name: string, type: 'CODE_DEPLOY' | 'EXTERNAL', circuitBreaker = false) =>
      ecs.send(
        new CreateServiceCommand({
          cluster: 'rules',
          serviceName: name,
          taskDefinition: 'rules',
          desiredCount: 0,
          deploymentController: { type },
          deploymentConfiguration: circuitBreaker
            ? { deploymentCircuitBreaker: { enable: true, rollback: true } }
            : undefined,
        }),
      );
    beforeAll(async () => {
      td2 = await registerWeb(ecs, 'rules', 'nginx:1.27');
      await create('cd', 'CODE_DEPLOY');
      await create('ext', 'EXTERNAL');
    });

    it('CODE_DEPLOY: no task-definition change; desired count and deployment configuration are fine', async () => {
      await expect(
        ecs.send(new UpdateServiceCommand({ cluster: 'rules', service: 'cd', taskDefinition: td2 })),
      ).rejects.toThrow(
        /Unable to update task definition on services with a CODE_DEPLOY deployment controller/,
      );
      await ecs.send(
        new UpdateServiceCommand({
          cluster: 'rules',
          service: 'cd',
          desiredCount: 0,
          deploymentConfiguration: { minimumHealthyPercent: 50 },
        }),
      );
      await expect(
        ecs.send(new UpdateServiceCommand({ cluster: 'rules', service: 'cd', forceNewDeployment: true })),
      ).rejects.toBeInstanceOf(InvalidParameterException);
    });

    it('EXTERNAL: neither the task definition nor the deployment configuration', async () => {
      await expect(
        ecs.send(new UpdateServiceCommand({ cluster: 'rules', service: 'ext', taskDefinition: td2 })),
      ).rejects.toBeInstanceOf(InvalidParameterException);
      await expect(
        ecs.send(
          new UpdateServiceCommand({
            cluster: 'rules',
            service: 'ext',
            deploymentConfiguration: { maximumPercent: 150 },
          }),
        ),
      ).rejects.toThrow(/deploymentConfiguration/);
      await ecs.send(new UpdateServiceCommand({ cluster: 'rules', service: 'ext', desiredCount: 0 }));
    });

    it('the circuit breaker only for the ECS controller', async () => {
      await expect(create('cd-breaker', 'CODE_DEPLOY', true)).rejects.toThrow(/circuit breaker/);
      await expect(
        ecs.send(
          new UpdateServiceCommand({
            cluster: 'rules',
            service: 'cd',
            deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
          }),
        ),
      ).rejects.toThrow(/circuit breaker/);
    });
  });

  describe('ListTasks', () => {
    it('startedBy must be the only filter', async () => {
      const out = await ecs.send(
        new DescribeServicesCommand({ cluster: env.cluster, services: [env.service] }),
      );
      const deploymentId = out.services![0]!.deployments![0]!.id!;
      const alone = await ecs.send(new ListTasksCommand({ cluster: env.cluster, startedBy: deploymentId }));
      expect(alone.taskArns).toHaveLength(1);
      for (const extra of [
        { desiredStatus: 'STOPPED' as const },
        { serviceName: env.service },
        { family: 'web' },
        { launchType: 'FARGATE' as const },
      ]) {
        await expect(
          ecs.send(new ListTasksCommand({ cluster: env.cluster, startedBy: deploymentId, ...extra })),
        ).rejects.toBeInstanceOf(InvalidParameterException);
      }
      // What works: the service's stopped tasks, startedBy read from DescribeTasks.
      await ecs.send(
        new ListTasksCommand({ cluster: env.cluster, serviceName: env.service, desiredStatus: 'STOPPED' }),
      );
    });
  });

  describe('DescribeServices', () => {
    it('returns service connect and volume configurations per deployment, not at service level', async () => {
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'rules',
          serviceName: 'connected',
          taskDefinition: 'rules',
          desiredCount: 0,
          role: 'arn:aws:iam::123456789012:role/ecs-service',
          serviceConnectConfiguration: { enabled: true, namespace: 'internal' },
          volumeConfigurations: [
            {
              name: 'data',
              managedEBSVolume: { roleArn: 'arn:aws:iam::123456789012:role/ebs', sizeInGiB: 10 },
            },
          ],
          availabilityZoneRebalancing: 'ENABLED',
        }),
      );
      const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'rules', services: ['connected'] })))
        .services![0]!;
      const raw = s as Record<string, unknown>;
      expect(raw.serviceConnectConfiguration).toBeUndefined();
      expect(raw.volumeConfigurations).toBeUndefined();
      expect(raw.role).toBeUndefined();
      expect(s.roleArn).toBe('arn:aws:iam::123456789012:role/ecs-service');
      expect(s.availabilityZoneRebalancing).toBe('ENABLED');
      expect(s.deployments![0]!.serviceConnectConfiguration).toEqual({
        enabled: true,
        namespace: 'internal',
      });
      expect(s.deployments![0]!.volumeConfigurations![0]!.name).toBe('data');
    });
  });
});
