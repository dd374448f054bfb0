import { type ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSteadyService, ecsClient, registerWeb } from '../ecs/testing.js';
import { Simulator } from '../index.js';

describe('ECS rolling replacement', () => {
  let sim: Simulator;
  let ecs: ECSClient;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 600 });
    ecs = ecsClient(sim);
  });
  afterAll(async () => {
    const schedulerError = sim.ecs.scheduler.lastError;
    ecs.destroy();
    await sim.stop();
    expect(schedulerError).toBeUndefined();
  });

  const deploy = async (service: string, image: string, config?: { min: number; max: number }) => {
    const td = await registerWeb(ecs, service, image);
    const out = await ecs.send(
      new UpdateServiceCommand({
        cluster: 'c',
        service,
        taskDefinition: td,
        deploymentConfiguration: config && { minimumHealthyPercent: config.min, maximumPercent: config.max },
      }),
    );
    return out.service!.deployments![0]!.id!;
  };

  it('with 100/200 stops old tasks only after the new ones are healthy', async () => {
    const v1 = await registerWeb(ecs, 'a', 'a:v1');
    await createSteadyService(sim, ecs, { cluster: 'c', service: 'a', taskDefinition: v1, desiredCount: 2 });
    const old = sim.ecs.tasks('c', 'a');
    const id = await deploy('a', 'a:v2');
    await sim.ecs.waitForSteady('c', 'a');

    const fresh = sim.ecs.tasks('c', 'a').filter((t) => t.startedBy === id);
    expect(fresh).toHaveLength(2);
    const lastHealthy = Math.max(...fresh.map((t) => t.healthyAt!));
    for (const t of old) {
      expect(t.lastStatus).toBe('STOPPED');
      expect(t.stoppingAt!.getTime()).toBeGreaterThanOrEqual(lastHealthy);
      expect(t.stoppedReason).toBe(`Scaling activity initiated by (deployment ${id})`);
      expect(t.stopCode).toBe('ServiceSchedulerInitiated');
      expect(t.containers[0]!.exitCode).toBe(0);
    }
    const events = sim.ecs.events('c', 'a');
    const started = events.findIndex((e) =>
      /has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/.test(e),
    );
    const stopped = events.findIndex((e) => /has stopped 2 running tasks:/.test(e));
    // Newest first: the stop came after the start.
    expect(stopped).toBeGreaterThanOrEqual(0);
    expect(started).toBeGreaterThan(stopped);
    expect(events[0]).toBe('(service a) has reached a steady state.');
    expect(events).toContain(`(service a) (deployment ${id}) deployment completed.`);
  });

  it('with 50/100 and desired 4 stops 2 old tasks before starting new ones', async () => {
    const v1 = await registerWeb(ecs, 'b', 'b:v1');
    await createSteadyService(sim, ecs, { cluster: 'c', service: 'b', taskDefinition: v1, desiredCount: 4 });
    const old = sim.ecs.tasks('c', 'b');
    const id = await deploy('b', 'b:v2', { min: 50, max: 100 });
    await sim.ecs.waitForSteady('c', 'b');

    const fresh = sim.ecs.tasks('c', 'b').filter((t) => t.startedBy === id);
    expect(fresh).toHaveLength(4);
    const firstStart = Math.min(...fresh.map((t) => t.createdAt.getTime()));
    const stoppedFirst = old.filter((t) => t.stoppingAt!.getTime() <= firstStart);
    expect(stoppedFirst).toHaveLength(2);
    expect(sim.ecs.deployments('c', 'b')).toHaveLength(1);
  });

  it('reports a deployment configuration that can neither stop nor start', async () => {
    const v1 = await registerWeb(ecs, 'd', 'd:v1');
    await createSteadyService(sim, ecs, {
      cluster: 'c',
      service: 'd',
      taskDefinition: v1,
      desiredCount: 2,
      deploymentConfiguration: { minimumHealthyPercent: 75, maximumPercent: 125 },
    });
    await deploy('d', 'd:v2');
    const message =
      '(service d) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.';
    await sim.ecs.waitFor(() => sim.ecs.events('c', 'd').includes(message));
    expect(sim.ecs.deployments('c', 'd')).toHaveLength(2);
    // Loosening the bounds lets the same deployment proceed.
    await ecs.send(
      new UpdateServiceCommand({
        cluster: 'c',
        service: 'd',
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 },
      }),
    );
    await sim.ecs.waitForSteady('c', 'd');
  });

  it('scales up and down when the desired count changes', async () => {
    const v1 = await registerWeb(ecs, 'e', 'e:v1');
    await createSteadyService(sim, ecs, { cluster: 'c', service: 'e', taskDefinition: v1, desiredCount: 1 });
    await ecs.send(new UpdateServiceCommand({ cluster: 'c', service: 'e', desiredCount: 3 }));
    await sim.ecs.waitFor(() => sim.ecs.healthyTasks('c', 'e').length === 3);
    expect(sim.ecs.deployments('c', 'e')).toHaveLength(1);
    await ecs.send(new UpdateServiceCommand({ cluster: 'c', service: 'e', desiredCount: 1 }));
    await sim.ecs.waitFor(
      () =>
        sim.ecs.tasks('c', 'e').filter((t) => t.lastStatus !== 'STOPPED').length === 1 &&
        sim.ecs.isSteady('c', 'e'),
    );
  });

  it('repeats "has reached a steady state." while nothing changes', async () => {
    sim.ecs.timings.steadyEventEveryMs = 60_000;
    try {
      const v1 = await registerWeb(ecs, 'f', 'f:v1');
      await createSteadyService(sim, ecs, {
        cluster: 'c',
        service: 'f',
        taskDefinition: v1,
        desiredCount: 1,
      });
      await sim.ecs.waitFor(() =>
        sim.ecs
          .events('c', 'f')
          .slice(0, 3)
          .every((e) => e === '(service f) has reached a steady state.'),
      );
    } finally {
      sim.ecs.timings.steadyEventEveryMs = 30 * 60_000;
    }
  });

  it('replaces tasks whose container health check fails, and trusts a passing one', async () => {
    const good = await registerWeb(ecs, 'g', 'g:v1', { healthCheck: true });
    await createSteadyService(sim, ecs, {
      cluster: 'c',
      service: 'g',
      taskDefinition: good,
      desiredCount: 1,
    });
    const [task] = sim.ecs.healthyTasks('c', 'g');
    expect(task!.healthStatus).toBe('HEALTHY');
    expect(sim.ecs.describeTask(task!).containers[0]!.healthStatus).toBe('HEALTHY');

    const bad = await registerWeb(ecs, 'g', 'g:unhealthy', { healthCheck: true });
    await ecs.send(new UpdateServiceCommand({ cluster: 'c', service: 'g', taskDefinition: bad }));
    const failed = await sim.ecs.waitFor(() =>
      sim.ecs.tasks('c', 'g').find((t) => t.stoppedReason === 'Task failed container health checks'),
    );
    expect(failed.healthStatus).toBe('UNHEALTHY');
    expect(failed.stopCode).toBe('ServiceSchedulerInitiated');
    expect(sim.ecs.events('c', 'g')).toContain(
      `(service g) (task ${failed.id}) failed container health checks.`,
    );
    // The old task kept serving: the new one never counted as healthy.
    expect(task!.desiredStatus).toBe('RUNNING');
  });
});
