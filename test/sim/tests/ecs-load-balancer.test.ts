import { CreateServiceCommand, type ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { clientConfig, createSteadyService, ecsClient, registerWeb } from '../ecs/testing.js';
import { request, startTraffic } from '../elb/testing.js';
import { Simulator } from '../index.js';

describe('ECS services behind an ALB target group', () => {
  let sim: Simulator;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  let lbArn: string;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 300 });
    // A 5 s probe timeout is 17 ms of wall time here: on a busy machine healthy tasks would time out.
    sim.elb.minProbeTimeoutWallMs = 1000;
    ecs = ecsClient(sim);
    elb = new ElasticLoadBalancingV2Client(clientConfig(sim));
    const lb = await elb.send(
      new CreateLoadBalancerCommand({ Name: 'web', Subnets: ['subnet-a', 'subnet-b'], Type: 'application' }),
    );
    lbArn = lb.LoadBalancers![0]!.LoadBalancerArn!;
  });
  afterAll(async () => {
    const schedulerError = sim.ecs.scheduler.lastError;
    ecs.destroy();
    elb.destroy();
    await sim.stop();
    expect(schedulerError).toBeUndefined();
  });

  /** A target group with 10 s checks, healthy after 2, and a 30 s deregistration delay. */
  const targetGroup = async (name: string) => {
    const tg = await elb.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: 'vpc-0a1b2c3d4e5f60718',
        TargetType: 'ip',
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    );
    const arn = tg.TargetGroups![0]!.TargetGroupArn!;
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
      }),
    );
    return arn;
  };

  const listen = async (port: number, tgArn: string) => {
    const l = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    );
    return l.Listeners![0]!.ListenerArn!;
  };

  it('registers targets, waits for target health, and drains old targets before stopping them', async () => {
    const tg = await targetGroup('tg-web');
    const v1 = await registerWeb(ecs, 'web', 'web:v1');
    const loadBalancers = [{ targetGroupArn: tg, containerName: 'web', containerPort: 8080 }];
    await expect(
      ecs.send(
        new CreateServiceCommand({
          cluster: 'default',
          serviceName: 'web',
          taskDefinition: v1,
          desiredCount: 2,
          loadBalancers,
        }),
      ),
    ).rejects.toThrow(); // no cluster yet; below, the group has no load balancer yet
    await createSteadyService(sim, ecs, {
      cluster: 'alb',
      service: 'early',
      taskDefinition: v1,
      desiredCount: 0,
    });
    await expect(
      ecs.send(
        new CreateServiceCommand({
          cluster: 'alb',
          serviceName: 'web',
          taskDefinition: v1,
          desiredCount: 2,
          loadBalancers,
        }),
      ),
    ).rejects.toThrow(
      `The target group with targetGroupArn ${tg} does not have an associated load balancer.`,
    );

    const listener = await listen(80, tg);
    await createSteadyService(sim, ecs, {
      cluster: 'alb',
      service: 'web',
      taskDefinition: v1,
      desiredCount: 2,
      loadBalancers,
      healthCheckGracePeriodSeconds: 30,
    });
    const old = sim.ecs.tasks('alb', 'web');
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(health.TargetHealthDescriptions!.map((d) => d.Target!.Port).sort()).toEqual(
      old.map((t) => t.port).sort(),
    );
    expect(health.TargetHealthDescriptions!.every((d) => d.TargetHealth!.State === 'healthy')).toBe(true);
    expect(
      sim.ecs
        .events('alb', 'web')
        .some(
          (e) => e.startsWith(`(service web) registered `) && e.endsWith(`targets in (target-group ${tg})`),
        ),
    ).toBe(true);

    const url = sim.elb.listenerUrl(listener);
    const traffic = startTraffic(url, 40);
    // At the first moment an old task is told to stop, look at what the target group thinks of the new ones.
    let seenAtFirstStop: string[] | undefined;
    const sampler = setInterval(() => {
      if (seenAtFirstStop || !old.some((t) => t.stoppedReason?.startsWith('Scaling activity'))) return;
      seenAtFirstStop = sim.ecs
        .tasks('alb', 'web')
        .filter((t) => !old.includes(t) && t.port !== undefined)
        .map((t) => sim.elb.targetHealth(tg, { id: '127.0.0.1', port: t.port! }).State);
    }, 1);
    const v2 = await registerWeb(ecs, 'web', 'web:v2');
    const out = await ecs.send(
      new UpdateServiceCommand({ cluster: 'alb', service: 'web', taskDefinition: v2 }),
    );
    const id = out.service!.deployments![0]!.id!;
    await sim.ecs.waitForSteady('alb', 'web', { timeoutMs: 20_000 });
    const records = await traffic.stop();
    clearInterval(sampler);
    expect(seenAtFirstStop).toEqual(['healthy', 'healthy']);

    const fresh = sim.ecs.tasks('alb', 'web').filter((t) => t.startedBy === id);
    expect(fresh).toHaveLength(2);
    const lastHealthy = Math.max(...fresh.map((t) => t.healthyAt!));
    for (const t of old) {
      expect(t.stoppingAt!.getTime()).toBeGreaterThanOrEqual(lastHealthy);
      // Deregistered, drained for the group's 30 s, then stopped.
      expect(t.stoppedAt!.getTime() - t.stoppingAt!.getTime()).toBeGreaterThanOrEqual(30_000);
      expect(t.stoppedReason).toBe(`Scaling activity initiated by (deployment ${id})`);
    }
    const events = sim.ecs.events('alb', 'web');
    expect(events).toContain('(service web) has begun draining connections on 2 tasks.');
    const deregistered = events.indexOf(`(service web) deregistered 2 targets in (target-group ${tg})`);
    const stopped = events.findIndex((e) => e.startsWith('(service web) has stopped 2 running tasks:'));
    expect(deregistered).toBeGreaterThanOrEqual(0);
    // Newest first: the tasks were stopped after their targets had drained.
    expect(stopped).toBeGreaterThanOrEqual(0);
    expect(stopped).toBeLessThan(deregistered);

    // Not one request failed while tasks were replaced, and the new version answers now.
    expect(records.length).toBeGreaterThan(5);
    expect(records.filter((r) => r.status !== 200)).toEqual([]);
    expect(JSON.parse((await request(`${url}/`)).body)).toMatchObject({ version: 'v2' });
    const after = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(after.TargetHealthDescriptions!.map((d) => d.Target!.Port).sort()).toEqual(
      fresh.map((t) => t.port).sort(),
    );
  });

  it('lets a request in flight finish when its task drains for a deregistration delay shorter than the request', async () => {
    // 1 s of delay is 3 ms of wall time here; the request takes 300 ms of wall time. On AWS a
    // 1 s delay covers a request in flight, so the target's answer must reach the client.
    const tg = await targetGroup('tg-linger');
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tg,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '1' }],
      }),
    );
    const listener = await listen(82, tg);
    sim.ecs.images.define('linger:v1', { latencyMs: 300 });
    const v1 = await registerWeb(ecs, 'linger', 'linger:v1');
    await createSteadyService(sim, ecs, {
      cluster: 'alb',
      service: 'linger',
      taskDefinition: v1,
      desiredCount: 1,
      loadBalancers: [{ targetGroupArn: tg, containerName: 'web', containerPort: 8080 }],
    });
    const inFlight = request(`${sim.elb.listenerUrl(listener)}/`);
    await new Promise((r) => setTimeout(r, 50));
    await ecs.send(new UpdateServiceCommand({ cluster: 'alb', service: 'linger', desiredCount: 0 }));
    const answer = await inFlight;
    expect({ status: answer.status, error: answer.error }).toEqual({ status: 200, error: undefined });
    await sim.ecs.waitForSteady('alb', 'linger', { timeoutMs: 20_000 });
  });

  it('stops tasks that fail ELB health checks after the grace period and rolls back', async () => {
    const tg = await targetGroup('tg-sick');
    await listen(81, tg);
    const v1 = await registerWeb(ecs, 'sick', 'sick:v1');
    await createSteadyService(sim, ecs, {
      cluster: 'alb',
      service: 'sick',
      taskDefinition: v1,
      desiredCount: 1,
      loadBalancers: [{ targetGroupArn: tg, containerName: 'web', containerPort: 8080 }],
      healthCheckGracePeriodSeconds: 60,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    const firstId = sim.ecs.deployments('alb', 'sick')[0]!.id;
    const bad = await registerWeb(ecs, 'sick', 'sick:unhealthy');
    const out = await ecs.send(
      new UpdateServiceCommand({ cluster: 'alb', service: 'sick', taskDefinition: bad }),
    );
    const id = out.service!.deployments![0]!.id!;
    await sim.ecs.waitForDeployment('alb', 'sick', id, 'FAILED', { timeoutMs: 20_000 });
    await sim.ecs.waitForSteady('alb', 'sick', { timeoutMs: 20_000 });

    const failed = sim.ecs.tasks('alb', 'sick').filter((t) => t.startedBy === id && t.stopCode);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    for (const t of failed) {
      expect(t.stoppedReason).toBe(`Task failed ELB health checks in (target-group ${tg})`);
      expect(t.stopCode).toBe('ServiceSchedulerInitiated');
      // The grace period held the scheduler back although the target was unhealthy earlier.
      expect(t.stoppingAt!.getTime() - t.startedAt!.getTime()).toBeGreaterThanOrEqual(60_000);
    }
    await sim.ecs.waitFor(() => failed.every((t) => t.lastStatus === 'STOPPED'), { timeoutMs: 5_000 });
    expect(failed.every((t) => t.containers[0]!.exitCode === 137)).toBe(true);
    const events = sim.ecs.events('alb', 'sick');
    expect(events).toContain(
      `(service sick) (task ${failed[0]!.id}) (port ${failed[0]!.port}) is unhealthy in (target-group ${tg}) due to (reason Health checks failed with these codes: [503]).`,
    );
    expect(events).toContain(`(service sick) rolling back to deployment ${firstId}.`);
    expect(sim.ecs.getService('alb', 'sick')!.taskDefinitionArn).toBe(v1);
  });
});
