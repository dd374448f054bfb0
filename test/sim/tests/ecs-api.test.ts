import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CreateRepositoryCommand, DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import {
  ClusterNotFoundException,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  InvalidParameterException,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { clientConfig, createSteadyService, ecrClient, ecsClient, registerWeb } from '../ecs/testing.js';
import { Simulator } from '../index.js';

describe('ECS, ECR and Application Auto Scaling APIs', () => {
  let sim: Simulator;
  let ecs: ECSClient;
  let ecr: ECRClient;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 600 });
    ecs = ecsClient(sim);
    ecr = ecrClient(sim);
    await ecs.send(new CreateClusterCommand({ clusterName: 'api' }));
  });
  afterAll(async () => {
    const schedulerError = sim.ecs.scheduler.lastError;
    ecs.destroy();
    ecr.destroy();
    await sim.stop();
    expect(schedulerError).toBeUndefined();
  });

  describe('errors', () => {
    it('raises the SDK exception classes ECS raises', async () => {
      await expect(
        ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['x'] })),
      ).rejects.toBeInstanceOf(ClusterNotFoundException);
      await expect(
        ecs.send(new UpdateServiceCommand({ cluster: 'api', service: 'ghost', desiredCount: 1 })),
      ).rejects.toBeInstanceOf(ServiceNotFoundException);
      const eleven = Array.from({ length: 11 }, (_, i) => `s${i}`);
      await expect(
        ecs.send(new DescribeServicesCommand({ cluster: 'api', services: eleven })),
      ).rejects.toBeInstanceOf(InvalidParameterException);
      const missing = await ecs.send(new DescribeServicesCommand({ cluster: 'api', services: ['ghost'] }));
      expect(missing.failures).toEqual([
        { arn: 'arn:aws:ecs:us-east-1:123456789012:service/api/ghost', reason: 'MISSING' },
      ]);
      await expect(
        ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nothing:1' })),
      ).rejects.toMatchObject({ name: 'ClientException', message: 'Unable to describe task definition.' });
    });

    it('answers an operation it does not implement with UnknownOperationException', async () => {
      const res = await fetch(sim.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonEC2ContainerServiceV20141113.PutClusterCapacityProviders',
        },
        body: '{}',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    });

    it('surfaces injected throttling as ThrottlingException', async () => {
      sim.faults.add({ operation: 'DescribeServices', kind: 'throttle', count: 1 });
      await expect(
        ecs.send(new DescribeServicesCommand({ cluster: 'api', services: ['x'] })),
      ).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      // The burst is over: the next call goes through.
      await expect(
        ecs.send(new DescribeServicesCommand({ cluster: 'api', services: ['x'] })),
      ).resolves.toBeDefined();
      expect(
        sim.log.calls.filter((c) => c.operation === 'DescribeServices' && c.error === 'ThrottlingException'),
      ).toHaveLength(1);
    });

    it('refuses a target group without a load balancer', async () => {
      const td = await registerWeb(ecs, 'lbless', 'lbless:v1');
      const tg = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orphan/0123456789abcdef';
      await expect(
        ecs.send(
          new CreateServiceCommand({
            cluster: 'api',
            serviceName: 'lbless',
            taskDefinition: td,
            desiredCount: 1,
            loadBalancers: [{ targetGroupArn: tg, containerName: 'web', containerPort: 8080 }],
          }),
        ),
      ).rejects.toBeInstanceOf(InvalidParameterException);
    });
  });

  describe('task definitions', () => {
    it('registers a new revision each time and echoes what was passed', async () => {
      const input = {
        family: 'td',
        networkMode: 'awsvpc' as const,
        requiresCompatibilities: ['FARGATE' as const],
        cpu: '256',
        memory: '512',
        executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
        containerDefinitions: [
          { name: 'web', image: 'td:v1', environment: [{ name: 'A', value: '1' }], essential: true },
        ],
        tags: [{ key: 'team', value: 'care' }],
      };
      const one = await ecs.send(new RegisterTaskDefinitionCommand(input));
      const two = await ecs.send(new RegisterTaskDefinitionCommand(input));
      expect(one.taskDefinition!.taskDefinitionArn).toBe(
        'arn:aws:ecs:us-east-1:123456789012:task-definition/td:1',
      );
      expect(two.taskDefinition).toMatchObject({
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/td:2',
        revision: 2,
        status: 'ACTIVE',
        compatibilities: ['EC2', 'FARGATE'],
        executionRoleArn: input.executionRoleArn,
        containerDefinitions: input.containerDefinitions,
      });
      expect(two.taskDefinition!.registeredAt).toBeInstanceOf(Date);
      expect(two.taskDefinition!.registeredBy).toMatch(/^arn:aws:iam::/);
      expect(two.taskDefinition!.requiresAttributes!.length).toBeGreaterThan(0);

      const byFamily = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: 'td', include: ['TAGS'] }),
      );
      expect(byFamily.taskDefinition!.revision).toBe(2);
      expect(byFamily.tags).toEqual([{ key: 'team', value: 'care' }]);
      const byRevision = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'td:1' }));
      expect(byRevision.taskDefinition!.revision).toBe(1);
      expect(byRevision.tags).toBeUndefined();

      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'td:2' }));
      const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'td' }));
      expect(latest.taskDefinition!.revision).toBe(1);
      const inactive = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: two.taskDefinition!.taskDefinitionArn! }),
      );
      expect(inactive.taskDefinition!.status).toBe('INACTIVE');

      const list = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'td', sort: 'DESC' }));
      expect(list.taskDefinitionArns).toEqual(['arn:aws:ecs:us-east-1:123456789012:task-definition/td:1']);
      const families = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'td' }));
      expect(families.families).toEqual(['td']);
    });
  });

  describe('services and tasks', () => {
    it('describes tasks with their loopback port and deletes a service through DRAINING', async () => {
      const td = await registerWeb(ecs, 'del', 'del:v1');
      await createSteadyService(sim, ecs, {
        cluster: 'api',
        service: 'del',
        taskDefinition: td,
        desiredCount: 1,
      });
      const listed = await ecs.send(new ListServicesCommand({ cluster: 'api' }));
      expect(listed.serviceArns).toContain('arn:aws:ecs:us-east-1:123456789012:service/api/del');

      const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'api', serviceName: 'del' }));
      expect(taskArns).toHaveLength(1);
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'api', tasks: taskArns }));
      const task = tasks![0]!;
      expect(task).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', taskDefinitionArn: td });
      const container = task.containers![0]!;
      expect(container.networkInterfaces![0]!.privateIpv4Address).toBe('127.0.0.1');
      const port = container.networkBindings![0]!.hostPort!;
      const res = await fetch(`http://127.0.0.1:${port}/x`);
      expect(await res.json()).toMatchObject({ version: 'v1', path: '/x' });

      await expect(
        ecs.send(new DeleteServiceCommand({ cluster: 'api', service: 'del' })),
      ).rejects.toBeInstanceOf(InvalidParameterException);
      // A slow SIGTERM keeps the service DRAINING while the next calls are made.
      sim.ecs.timings.stoppingMs = 10 * 60_000;
      const deleted = await ecs.send(
        new DeleteServiceCommand({ cluster: 'api', service: 'del', force: true }),
      );
      expect(deleted.service!.status).toBe('DRAINING');
      await expect(
        ecs.send(
          new CreateServiceCommand({
            cluster: 'api',
            serviceName: 'del',
            taskDefinition: td,
            desiredCount: 1,
          }),
        ),
      ).rejects.toThrow('Creation of service was not idempotent.');
      await expect(
        ecs.send(new UpdateServiceCommand({ cluster: 'api', service: 'del', desiredCount: 2 })),
      ).rejects.toBeInstanceOf(ServiceNotActiveException);
      sim.ecs.timings.stoppingMs = 3_000;
      await sim.ecs.waitFor(() => sim.ecs.getService('api', 'del')!.status === 'INACTIVE');
      const stopped = await ecs.send(
        new ListTasksCommand({ cluster: 'api', serviceName: 'del', desiredStatus: 'STOPPED' }),
      );
      expect(stopped.taskArns).toEqual(taskArns);
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
      // Once INACTIVE the name can be used again.
      await ecs.send(
        new CreateServiceCommand({ cluster: 'api', serviceName: 'del', taskDefinition: td, desiredCount: 0 }),
      );
    });

    it('runs a one-off task that exits by itself', async () => {
      const td = await registerWeb(ecs, 'migrate', 'migrate:job');
      const run = await ecs.send(
        new RunTaskCommand({
          cluster: 'api',
          taskDefinition: td,
          startedBy: 'deploy-action',
          launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } },
        }),
      );
      const arn = run.tasks![0]!.taskArn!;
      expect(run.tasks![0]!.lastStatus).toBe('PROVISIONING');
      await sim.ecs.waitFor(() => sim.ecs.state.tasks.get(arn)?.lastStatus === 'STOPPED');
      const listed = await ecs.send(
        new ListTasksCommand({ cluster: 'api', family: 'migrate', desiredStatus: 'STOPPED' }),
      );
      expect(listed.taskArns).toEqual([arn]);
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'api', tasks: [arn] }));
      expect(tasks![0]).toMatchObject({
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        group: 'family:migrate',
      });
      expect(tasks![0]!.containers![0]!.exitCode).toBe(0);
    });

    it('pages ListServices by 10 unless asked for more', async () => {
      await ecs.send(new CreateClusterCommand({ clusterName: 'many' }));
      const td = await registerWeb(ecs, 'many', 'many:v1');
      for (let i = 0; i < 12; i++) {
        await ecs.send(
          new CreateServiceCommand({
            cluster: 'many',
            serviceName: `s${i}`,
            taskDefinition: td,
            desiredCount: 0,
          }),
        );
      }
      const first = await ecs.send(new ListServicesCommand({ cluster: 'many' }));
      expect(first.serviceArns).toHaveLength(10);
      const second = await ecs.send(new ListServicesCommand({ cluster: 'many', nextToken: first.nextToken }));
      expect(second.serviceArns).toHaveLength(2);
      expect(second.nextToken).toBeUndefined();
    });

    it('tags services, task definitions and clusters', async () => {
      const td = await registerWeb(ecs, 'tagged', 'tagged:v1');
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'api',
          serviceName: 'tagged',
          taskDefinition: td,
          desiredCount: 0,
          tags: [{ key: 'a', value: '1' }],
        }),
      );
      const arn = 'arn:aws:ecs:us-east-1:123456789012:service/api/tagged';
      await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'b', value: '2' }] }));
      await ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
      expect((await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
        { key: 'b', value: '2' },
      ]);
      await ecs.send(new TagResourceCommand({ resourceArn: td, tags: [{ key: 'rev', value: 'x' }] }));
      expect((await ecs.send(new ListTagsForResourceCommand({ resourceArn: td }))).tags).toEqual([
        { key: 'rev', value: 'x' },
      ]);
      const cluster = 'arn:aws:ecs:us-east-1:123456789012:cluster/api';
      await ecs.send(new TagResourceCommand({ resourceArn: cluster, tags: [{ key: 'env', value: 'test' }] }));
      expect((await ecs.send(new ListTagsForResourceCommand({ resourceArn: cluster }))).tags).toEqual([
        { key: 'env', value: 'test' },
      ]);
      const described = await ecs.send(
        new DescribeServicesCommand({ cluster: 'api', services: ['tagged'], include: ['TAGS'] }),
      );
      expect(described.services![0]!.tags).toEqual([{ key: 'b', value: '2' }]);
    });
  });

  describe('images', () => {
    it('behave by tag: unhealthy answers 503, 5xx fails /api, slow is slow, define() overrides', async () => {
      const start = async (name: string, image: string) => {
        const td = await registerWeb(ecs, name, image);
        await createSteadyService(sim, ecs, {
          cluster: 'api',
          service: name,
          taskDefinition: td,
          desiredCount: 1,
        });
        const [task] = sim.ecs.healthyTasks('api', name);
        return `http://127.0.0.1:${task!.port}`;
      };
      sim.ecs.images.define('custom:v1', {
        version: 'custom',
        status: (path) => (path === '/teapot' ? 418 : 200),
      });
      const [sick, flaky, slow, custom] = await Promise.all([
        start('sick', 'sick:unhealthy'),
        start('flaky', 'flaky:5xx'),
        start('slow', 'slow:slow'),
        start('custom', 'custom:v1'),
      ]);
      expect((await fetch(`${sick}/`)).status).toBe(503);
      expect((await fetch(`${flaky}/api/orders`)).status).toBe(500);
      expect((await fetch(`${flaky}/health`)).status).toBe(200);
      const t0 = Date.now();
      const res = await fetch(`${slow}/`);
      expect(res.status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
      expect((await fetch(`${custom}/teapot`)).status).toBe(418);
      expect(await (await fetch(`${custom}/`)).json()).toMatchObject({ version: 'custom' });
    });
  });

  describe('ECR', () => {
    it('resolves tags to deterministic digests and moves a re-pushed tag', async () => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
      const v1 = sim.ecr.putImage('app', 'v1');
      expect(v1.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(v1.repositoryUri).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/app');
      expect(sim.ecr.putImage('app', 'v1').digest).toBe(v1.digest);

      const byTag = await ecr.send(
        new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }),
      );
      expect(byTag.imageDetails![0]!.imageDigest).toBe(v1.digest);
      const byDigest = await ecr.send(
        new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageDigest: v1.digest }] }),
      );
      expect(byDigest.imageDetails![0]!.imageTags).toEqual(['v1']);

      sim.ecr.putImage('app', 'v2');
      sim.ecr.retag('app', 'v2', 'latest');
      sim.ecr.retag('app', 'v1', 'latest');
      const latest = await ecr.send(
        new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'latest' }] }),
      );
      expect(latest.imageDetails![0]!.imageDigest).toBe(v1.digest);

      await expect(
        ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'nope' }] })),
      ).rejects.toMatchObject({ name: 'ImageNotFoundException' });
      await expect(
        ecr.send(new DescribeImagesCommand({ repositoryName: 'missing', imageIds: [{ imageTag: 'v1' }] })),
      ).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
    });

    it('runs a task from an image pinned by digest, reporting the tag as its version', async () => {
      const pushed = sim.ecr.putImage('pinned', 'v7');
      const td = await registerWeb(ecs, 'pinned', pushed.digestUri);
      await createSteadyService(sim, ecs, {
        cluster: 'api',
        service: 'pinned',
        taskDefinition: td,
        desiredCount: 1,
      });
      const [task] = sim.ecs.healthyTasks('api', 'pinned');
      const res = await fetch(`http://127.0.0.1:${task!.port}/`);
      expect(((await res.json()) as { version: string }).version).toBe('v7');
    });
  });

  describe('Application Auto Scaling', () => {
    it('keeps the desired count within the registered bounds unless suspended', async () => {
      const aas = new ApplicationAutoScalingClient(clientConfig(sim));
      const td = await registerWeb(ecs, 'scaled', 'scaled:v1');
      await createSteadyService(sim, ecs, {
        cluster: 'api',
        service: 'scaled',
        taskDefinition: td,
        desiredCount: 2,
      });
      const target = {
        ServiceNamespace: 'ecs' as const,
        ResourceId: 'service/api/scaled',
        ScalableDimension: 'ecs:service:DesiredCount' as const,
      };
      await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 2, MaxCapacity: 4 }));
      await aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: 'cpu',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: 70,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          },
        }),
      );
      const described = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }));
      expect(described.ScalableTargets![0]).toMatchObject({ MinCapacity: 2, MaxCapacity: 4 });
      const policies = await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs' }));
      expect(policies.ScalingPolicies!.map((p) => p.PolicyName)).toEqual(['cpu']);

      // Scaled to zero with min 2: auto scaling brings it back.
      await ecs.send(new UpdateServiceCommand({ cluster: 'api', service: 'scaled', desiredCount: 0 }));
      await sim.ecs.waitFor(() => sim.ecs.getService('api', 'scaled')!.desiredCount === 2);

      // Suspended: zero stays zero.
      await aas.send(
        new RegisterScalableTargetCommand({
          ...target,
          SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true },
        }),
      );
      await ecs.send(new UpdateServiceCommand({ cluster: 'api', service: 'scaled', desiredCount: 0 }));
      await sim.ecs.waitFor(() => sim.ecs.tasks('api', 'scaled').every((t) => t.lastStatus === 'STOPPED'));
      expect(sim.ecs.getService('api', 'scaled')!.desiredCount).toBe(0);
      aas.destroy();
    });
  });
});
