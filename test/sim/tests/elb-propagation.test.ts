/** Listener and rule changes route requests only after the propagation delay (test/sim/README.md, fidelity table). */
import {
  CreateRuleCommand,
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createAlb,
  createGroup,
  register,
  request,
  sleep,
  startTarget,
  type TestTarget,
  waitForState,
} from '../elb/testing.js';
import { Simulator } from '../index.js';

describe('ALB: listener and rule changes propagate', () => {
  let sim: Simulator;
  let client: ElasticLoadBalancingV2Client;
  const targets: TestTarget[] = [];
  let blue: string;
  let green: string;
  let listenerArn: string;

  const forward = (weights: [number, number]) => [
    {
      Type: 'forward' as const,
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: blue, Weight: weights[0] },
          { TargetGroupArn: green, Weight: weights[1] },
        ],
      },
    },
  ];
  const versionAt = async (path = '/') => {
    const r = await request(`${sim.elb.listenerUrl(listenerArn)}${path}`);
    return r.body;
  };

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 60 });
    // 30 simulated seconds = 500 wall ms: long enough to observe both sides of the change.
    sim.elb.propagationDelayMs = 30_000;
    client = new ElasticLoadBalancingV2Client({
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' },
    });
    blue = await createGroup(client, 'prop-blue');
    green = await createGroup(client, 'prop-green');
    ({ listenerArn } = await createAlb(client, 'prop', [blue, green], [100, 0]));
    for (const [group, version] of [
      [blue, 'v1'],
      [green, 'v2'],
    ] as const) {
      const t = await startTarget(version, 'ok');
      targets.push(t);
      await register(client, group, [t.port]);
      await waitForState(client, group, 'healthy');
    }
  }, 60_000);
  afterAll(async () => {
    client.destroy();
    await Promise.all(targets.map((t) => t.close()));
    await sim.stop();
  });

  it('ModifyListener: Describe shows the new weights at once, requests follow after the delay', async () => {
    expect(await versionAt()).toBe('v1');
    await client.send(
      new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: forward([0, 100]) }),
    );
    const described = await client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
    expect(described.Listeners![0]!.DefaultActions![0]!.ForwardConfig!.TargetGroups).toEqual(
      expect.arrayContaining([expect.objectContaining({ TargetGroupArn: green, Weight: 100 })]),
    );
    expect(await versionAt()).toBe('v1');
    await sleep(sim.clock.toWall(sim.elb.propagationDelayMs) + 50);
    expect(await versionAt()).toBe('v2');
  });

  it('ModifyRule: the same for a rule, and the last of two quick changes wins', async () => {
    const created = await client.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
        Actions: forward([100, 0]),
      }),
    );
    const ruleArn = created.Rules![0]!.RuleArn!;
    expect(await versionAt('/api/x')).toBe('v1');
    await client.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: forward([0, 100]) }));
    await client.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: forward([100, 0]) }));
    await sleep(sim.clock.toWall(sim.elb.propagationDelayMs) / 3);
    expect(await versionAt('/api/x')).toBe('v1');
    await sleep(sim.clock.toWall(sim.elb.propagationDelayMs) + 50);
    expect(await versionAt('/api/x')).toBe('v1');
    await client.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: forward([0, 100]) }));
    expect(await versionAt('/api/x')).toBe('v1');
    await sleep(sim.clock.toWall(sim.elb.propagationDelayMs) + 50);
    expect(await versionAt('/api/x')).toBe('v2');
  });
});
