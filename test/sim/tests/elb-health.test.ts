import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createAlb,
  createGroup,
  refusedPort,
  register,
  request,
  sleep,
  startTarget,
  type TestTarget,
  waitFor,
  waitForState,
} from '../elb/testing.js';
import { Simulator } from '../index.js';

describe('ALB target health', () => {
  let sim: Simulator;
  let client: ElasticLoadBalancingV2Client;
  const targets: TestTarget[] = [];

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 300 });
    client = new ElasticLoadBalancingV2Client({
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await Promise.all(targets.map((t) => t.close()));
    await sim.stop();
  });

  async function target(version: string, mode: TestTarget['mode'] = 'ok'): Promise<TestTarget> {
    const t = await startTarget(version, mode);
    targets.push(t);
    return t;
  }

  async function health(group: string, port?: number) {
    const out = await client.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: group,
        ...(port ? { Targets: [{ Id: '127.0.0.1', Port: port }] } : {}),
      }),
    );
    return out.TargetHealthDescriptions?.map((d) => ({ port: d.Target?.Port, ...d.TargetHealth })) ?? [];
  }

  it('reports unused/Target.NotInUse until a listener uses the group, then initial, then healthy', async () => {
    // 60 s checks: 200 wall ms per step, long enough to watch each step.
    const group = await createGroup(client, 'lifecycle', { intervalSeconds: 60 });
    const t = await target('v1');
    await register(client, group, [t.port]);
    expect(await health(group)).toEqual([
      {
        port: t.port,
        State: 'unused',
        Reason: 'Target.NotInUse',
        Description: 'Target group is not configured to receive traffic from the load balancer',
      },
    ]);
    expect(sim.elb.targetGroupHasLoadBalancer(group)).toBe(false);

    const lb = await client.send(new CreateLoadBalancerCommand({ Name: 'lifecycle', Subnets: ['a', 'b'] }));
    await client.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: group }],
      }),
    );
    expect(sim.elb.targetGroupHasLoadBalancer(group)).toBe(true);

    // Sample the state as it moves; each step must appear, in order.
    const seen: string[] = [];
    await waitFor('healthy', async () => {
      const [h] = await health(group);
      const step = `${h?.State}/${h?.Reason ?? '-'}`;
      if (seen[seen.length - 1] !== step) seen.push(step);
      return h?.State === 'healthy';
    });
    expect(seen).toEqual([
      'initial/Elb.RegistrationInProgress',
      'initial/Elb.InitialHealthChecking',
      'healthy/-',
    ]);
    expect(sim.elb.targetHealth(group, { id: '127.0.0.1', port: t.port })).toEqual({
      State: 'healthy',
      Reason: undefined,
      Description: undefined,
    });
  });

  it('turns unhealthy with the reason of the failing check and recovers', async () => {
    const group = await createGroup(client, 'flaky', { intervalSeconds: 10 });
    await createAlb(client, 'flaky', [group]);
    const sick = await target('v1');
    const dead = await refusedPort();
    await register(client, group, [sick.port, dead]);
    await waitFor(
      'the live target healthy',
      async () => (await health(group, sick.port))[0]?.State === 'healthy',
    );
    expect((await health(group, dead))[0]).toMatchObject({
      State: 'unhealthy',
      Reason: 'Target.FailedHealthChecks',
      Description: 'Health checks failed',
    });

    sick.mode = 'error';
    await waitFor(
      '503s to be noticed',
      async () => (await health(group, sick.port))[0]?.State === 'unhealthy',
    );
    expect((await health(group, sick.port))[0]).toMatchObject({
      Reason: 'Target.ResponseCodeMismatch',
      Description: 'Health checks failed with these codes: [503]',
    });

    sick.mode = 'hang';
    await waitFor('a timeout', async () => (await health(group, sick.port))[0]?.Reason === 'Target.Timeout');
    expect((await health(group, sick.port))[0]).toMatchObject({
      State: 'unhealthy',
      Description: 'Request timed out',
    });

    sick.mode = 'ok';
    await waitFor('recovery', async () => (await health(group, sick.port))[0]?.State === 'healthy');
  });

  it('drains a deregistered target for the deregistration delay, sending it no new requests', async () => {
    const group = await createGroup(client, 'drain', { intervalSeconds: 10 });
    const { listenerArn } = await createAlb(client, 'drain', [group]);
    // 600 simulated seconds at a time scale of 300: two wall seconds.
    await client.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: group,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '600' }],
      }),
    );
    const leaving = await target('old');
    const staying = await target('new');
    await register(client, group, [leaving.port, staying.port]);
    await waitForState(client, group, 'healthy');

    const start = Date.now();
    await client.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: group,
        Targets: [{ Id: '127.0.0.1', Port: leaving.port }],
      }),
    );
    expect((await health(group, leaving.port))[0]).toMatchObject({
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    });
    const url = sim.elb.listenerUrl(listenerArn);
    const bodies = await Promise.all(Array.from({ length: 10 }, () => request(url)));
    expect(new Set(bodies.map((b) => b.body))).toEqual(new Set(['new']));

    await sleep(start + 1000 - Date.now());
    expect((await health(group, leaving.port))[0]?.State).toBe('draining');
    await waitFor(
      'the drained target to go',
      async () => (await health(group, leaving.port))[0]?.State === 'unused',
    );
    expect(Date.now() - start).toBeGreaterThanOrEqual(2000);
    expect((await health(group, leaving.port))[0]).toMatchObject({
      Reason: 'Target.NotRegistered',
      Description: 'Target is not registered to the target group',
    });
    expect((await health(group)).map((h) => h.port)).toEqual([staying.port]);
  });

  it('lets the ECS side register, read and deregister targets directly', async () => {
    const group = await createGroup(client, 'seam', { intervalSeconds: 10 });
    await createAlb(client, 'seam', [group]);
    const t = await target('v1');
    const ref = { id: '127.0.0.1', port: t.port };
    sim.elb.registerTarget(group, ref);
    sim.elb.registerTarget(group, ref);
    expect(sim.elb.targetHealth(group, ref).State).toBe('initial');
    await waitFor('healthy', async () => sim.elb.targetHealth(group, ref).State === 'healthy');
    expect(await health(group)).toHaveLength(1);
    sim.elb.deregisterTarget(group, ref);
    expect(sim.elb.targetHealth(group, ref).State).toBe('draining');
    sim.elb.deregisterTarget(group, { id: '127.0.0.1', port: 1 });
    expect(sim.elb.targetGroupExists(group)).toBe(true);
    expect(sim.elb.targetGroupExists(`${group}0`)).toBe(false);
  });
});
