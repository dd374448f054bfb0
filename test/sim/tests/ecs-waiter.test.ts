import {
  DescribeServicesCommand,
  type ECSClient,
  UpdateServiceCommand,
  waitUntilServicesStable,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSteadyService, ecsClient, registerWeb } from '../ecs/testing.js';
import { Simulator } from '../index.js';

describe('the SDK waiter against the ECS simulator', () => {
  let sim: Simulator;
  let ecs: ECSClient;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 600 });
    ecs = ecsClient(sim, 3);
  });
  afterAll(async () => {
    const schedulerError = sim.ecs.scheduler.lastError;
    ecs.destroy();
    await sim.stop();
    expect(schedulerError).toBeUndefined();
  });

  it('waitUntilServicesStable succeeds after a healthy rolling update', async () => {
    const v1 = await registerWeb(ecs, 'web', 'web:v1');
    await createSteadyService(sim, ecs, {
      cluster: 'prod',
      service: 'web',
      taskDefinition: v1,
      desiredCount: 2,
    });
    const v2 = await registerWeb(ecs, 'web', 'web:v2');
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: v2 }),
    );
    const deploymentId = updated.service?.deployments?.[0]?.id;
    expect(deploymentId).toMatch(/^ecs-svc\/\d{19}$/);
    expect(updated.service?.deployments).toHaveLength(2);

    const result = await waitUntilServicesStable(
      { client: ecs, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
      { cluster: 'prod', services: ['web'] },
    );
    expect(result.state).toBe('SUCCESS');
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }));
    const service = services![0]!;
    expect(service.runningCount).toBe(2);
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments![0]).toMatchObject({
      id: deploymentId,
      taskDefinition: v2,
      rolloutState: 'COMPLETED',
      rolloutStateReason: `ECS deployment ${deploymentId} completed.`,
    });
    expect(service.events![0]!.message).toBe('(service web) has reached a steady state.');
    // Every running task answers with the new version on a real loopback port.
    for (const task of sim.ecs.healthyTasks('prod', 'web')) {
      const res = await fetch(`http://127.0.0.1:${task.port}/hello`);
      expect(await res.json()).toEqual({ version: 'v2', task: task.id, path: '/hello' });
    }
  });

  it('waitUntilServicesStable times out while the new tasks crash-loop', async () => {
    const v1 = await registerWeb(ecs, 'loop', 'loop:v1');
    await createSteadyService(sim, ecs, {
      cluster: 'prod',
      service: 'loop',
      taskDefinition: v1,
      desiredCount: 1,
    });
    const bad = await registerWeb(ecs, 'loop', 'loop:crash');
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'loop', taskDefinition: bad }));
    await expect(
      waitUntilServicesStable(
        { client: ecs, maxWaitTime: 4, minDelay: 1, maxDelay: 1 },
        { cluster: 'prod', services: ['loop'] },
      ),
    ).rejects.toThrow(/TimeoutError|timed out|Exceeded/i);
    const stopped = sim.ecs.tasks('prod', 'loop').filter((t) => t.stopCode === 'EssentialContainerExited');
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped[0]!.containers[0]!.exitCode).toBe(1);
  });
});
