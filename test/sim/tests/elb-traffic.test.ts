import {
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createAlb,
  createGroup,
  inPhase,
  refusedPort,
  register,
  request,
  sleep,
  startTarget,
  startTraffic,
  type TestTarget,
  tally,
  waitForState,
} from '../elb/testing.js';
import { Simulator } from '../index.js';

describe('ALB data plane: weighted traffic shifting', () => {
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

  async function targetsFor(
    version: string,
    count: number,
    mode: TestTarget['mode'] = 'ok',
  ): Promise<number[]> {
    const started = await Promise.all(Array.from({ length: count }, () => startTarget(version, mode)));
    targets.push(...started);
    return started.map((t) => t.port);
  }

  function setWeights(listenerArn: string, groups: string[], weights: number[]) {
    return client.send(
      new ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: groups.map((TargetGroupArn, i) => ({ TargetGroupArn, Weight: weights[i] ?? 0 })),
            },
          },
        ],
      }),
    );
  }

  it('moves traffic from blue to green in steps without a single failed request', async () => {
    const blue = await createGroup(client, 'shift-blue');
    const green = await createGroup(client, 'shift-green');
    const { listenerArn } = await createAlb(client, 'shift', [blue, green], [100, 0]);
    await register(client, blue, await targetsFor('v1', 2));
    await register(client, green, await targetsFor('v2', 2));
    await waitForState(client, blue, 'healthy');
    await waitForState(client, green, 'healthy');

    const traffic = startTraffic(sim.elb.listenerUrl(listenerArn), 40);
    traffic.phase = '100/0';
    await sleep(600);
    for (const [b, g] of [
      [90, 10],
      [50, 50],
      [0, 100],
    ] as const) {
      await setWeights(listenerArn, [blue, green], [b, g]);
      // The change routes once it reached the load balancer's nodes.
      traffic.phase = 'propagating';
      await sleep(sim.clock.toWall(sim.elb.propagationDelayMs) + 20);
      traffic.phase = `${b}/${g}`;
      await sleep(800);
    }
    const records = await traffic.stop();
    const phase = (name: string) => tally(inPhase(records, name));

    expect(records.length).toBeGreaterThan(80);
    expect(records.filter((r) => r.status !== 200)).toEqual([]);
    expect(Object.keys(phase('100/0'))).toEqual(['v1']);
    const ninety = phase('90/10');
    const ninetyTotal = (ninety.v1 ?? 0) + (ninety.v2 ?? 0);
    expect(ninety.v2).toBeGreaterThan(0);
    expect((ninety.v2 ?? 0) / ninetyTotal).toBeLessThan(0.25);
    const half = phase('50/50');
    expect(Math.abs((half.v1 ?? 0) - (half.v2 ?? 0))).toBeLessThanOrEqual(2);
    expect(Object.keys(phase('0/100'))).toEqual(['v2']);
  });

  it('fails open to unhealthy targets, answers 502 for refused targets and 503 only for an empty group', async () => {
    const good = await createGroup(client, 'failing-good');
    const sick = await createGroup(client, 'failing-sick');
    const dead = await createGroup(client, 'failing-dead');
    const empty = await createGroup(client, 'failing-empty');
    const groups = [good, sick, dead, empty];
    const { listenerArn } = await createAlb(client, 'failing', groups, [100, 0, 0, 0]);
    await register(client, good, await targetsFor('v1', 2));
    await register(client, sick, await targetsFor('v2', 2, 'error'));
    await register(client, dead, [await refusedPort(), await refusedPort()]);
    await waitForState(client, good, 'healthy');
    await waitForState(client, sick, 'unhealthy');
    await waitForState(client, dead, 'unhealthy');

    const traffic = startTraffic(sim.elb.listenerUrl(listenerArn), 40);
    traffic.phase = 'good';
    await sleep(400);
    for (const [name, weights] of [
      ['sick', [0, 100, 0, 0]],
      ['dead', [0, 0, 100, 0]],
      ['empty', [0, 0, 0, 100]],
    ] as const) {
      await setWeights(listenerArn, groups, [...weights]);
      traffic.phase = 'propagating';
      await sleep(sim.clock.toWall(sim.elb.propagationDelayMs) + 20);
      traffic.phase = name;
      await sleep(400);
    }
    const records = await traffic.stop();
    const phase = (name: string) => tally(inPhase(records, name));

    expect(Object.keys(phase('good'))).toEqual(['v1']);
    // Unhealthy targets still get the requests (fail-open): the client sees the targets' own 503s.
    expect(Object.keys(phase('sick'))).toEqual(['503']);
    expect(inPhase(records, 'sick').every((r) => r.body === 'v2 unavailable')).toBe(true);
    // A refused connection is the load balancer's 502.
    expect(Object.keys(phase('dead'))).toEqual(['502 awselb/2.0']);
    // 503 from the load balancer only when the chosen group has no registered targets.
    expect(Object.keys(phase('empty'))).toEqual(['503 awselb/2.0']);
  });

  it('answers 504 when a target does not answer in time', async () => {
    sim.elb.minTargetTimeoutWallMs = 300;
    const slow = await createGroup(client, 'slow');
    const { listenerArn } = await createAlb(client, 'slow', [slow], [1]);
    await register(client, slow, await targetsFor('v1', 1, 'hang'));
    const reply = await request(sim.elb.listenerUrl(listenerArn));
    expect(reply.status).toBe(504);
    expect(reply.server).toBe('awselb/2.0');
  });

  it('rejects a forward to more than five groups or a weight above 999', async () => {
    const arns = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (i) => {
        const out = await client.send(
          new CreateTargetGroupCommand({ Name: `many-${i}`, Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1' }),
        );
        return out.TargetGroups?.[0]?.TargetGroupArn ?? '';
      }),
    );
    const { listenerArn } = await createAlb(client, 'many', [arns[0] ?? '']);
    await expect(setWeights(listenerArn, arns, [1, 1, 1, 1, 1, 1])).rejects.toMatchObject({
      name: 'TooManyTargetGroupsException',
    });
    await expect(setWeights(listenerArn, arns.slice(0, 2), [1000, 0])).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});
