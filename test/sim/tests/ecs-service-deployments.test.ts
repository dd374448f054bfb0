import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSteadyService, ecsClient, registerWeb } from '../ecs/testing.js';
import { Simulator } from '../index.js';

describe('ECS service deployments and service revisions', () => {
  let sim: Simulator;
  let ecs: ECSClient;
  let v1: string;
  let v2: string;
  let digest: string;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 600 });
    ecs = ecsClient(sim);
    const pushed = sim.ecr.putImage('hist', 'v1');
    digest = pushed.digest;
    v1 = await registerWeb(ecs, 'hist', `${pushed.repositoryUri}:v1`);
    v2 = await registerWeb(ecs, 'hist', 'hist:v2');
    await createSteadyService(sim, ecs, {
      cluster: 'sd',
      service: 'hist',
      taskDefinition: v1,
      desiredCount: 1,
    });
    await ecs.send(new UpdateServiceCommand({ cluster: 'sd', service: 'hist', taskDefinition: v2 }));
    await sim.ecs.waitForSteady('sd', 'hist');
  });
  afterAll(async () => {
    ecs.destroy();
    await sim.stop();
  });

  it('names each deployment its target revision, and the revision its task definition and pinned images', async () => {
    const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'sd', service: 'hist' }));
    const [second, first] = list.serviceDeployments ?? [];
    expect(second).toMatchObject({ status: 'SUCCESSFUL' });
    expect(first).toMatchObject({ status: 'SUCCESSFUL' });
    const revisions = await ecs.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: [
          first!.targetServiceRevisionArn!,
          second!.targetServiceRevisionArn!,
          'arn:aws:ecs:us-east-1:000000000000:service-revision/sd/hist/1',
        ],
      }),
    );
    expect(revisions.serviceRevisions?.map((r) => r.taskDefinition)).toEqual([v1, v2]);
    expect(revisions.serviceRevisions?.[0]?.containerImages).toEqual([
      { containerName: 'web', image: expect.stringMatching(/hist:v1$/), imageDigest: digest },
    ]);
    // An image outside ECR has no digest ECS could pin.
    expect(revisions.serviceRevisions?.[1]?.containerImages?.[0]?.imageDigest).toBeUndefined();
    expect(revisions.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:000000000000:service-revision/sd/hist/1', reason: 'MISSING' },
    ]);
    // The deployment's own view says where it came from.
    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [second!.serviceDeploymentArn!] }),
    );
    expect(described.serviceDeployments?.[0]?.sourceServiceRevisions?.map((r) => r.arn)).toEqual([
      first!.targetServiceRevisionArn,
    ]);
  });

  it('keeps the deployment configuration each deployment started with', async () => {
    const [latest] =
      (await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'sd', service: 'hist', maxResults: 1 })))
        .serviceDeployments ?? [];
    await ecs.send(
      new UpdateServiceCommand({
        cluster: 'sd',
        service: 'hist',
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 150 },
      }),
    );
    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [latest!.serviceDeploymentArn!] }),
    );
    expect(described.serviceDeployments?.[0]?.deploymentConfiguration).toMatchObject({
      minimumHealthyPercent: 100,
      maximumPercent: 200,
    });
  });

  it('pages at 20 by default and refuses maxResults outside 1..100', async () => {
    for (let i = 0; i < 20; i++) {
      await ecs.send(new UpdateServiceCommand({ cluster: 'sd', service: 'hist', forceNewDeployment: true }));
    }
    const page1 = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'sd', service: 'hist' }));
    expect(page1.serviceDeployments).toHaveLength(20);
    expect(page1.nextToken).toBeDefined();
    const page2 = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: 'sd', service: 'hist', nextToken: page1.nextToken }),
    );
    expect(page2.serviceDeployments?.length).toBeGreaterThanOrEqual(2);
    for (const maxResults of [0, 101]) {
      await expect(
        ecs.send(new ListServiceDeploymentsCommand({ cluster: 'sd', service: 'hist', maxResults })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    }
  });
});
