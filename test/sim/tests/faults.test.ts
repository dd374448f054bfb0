import {
  CreateClusterCommand,
  type ECSClient,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateRuleCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { clientConfig, ecsClient } from '../ecs/testing.js';
import { createAlb, createGroup, sleep } from '../elb/testing.js';
import { Simulator } from '../index.js';

describe('fault injection on writes', () => {
  let sim: Simulator;
  let elb: ElasticLoadBalancingV2Client;
  let ecs: ECSClient;
  let listenerArn: string;
  let group: string;
  let clusterArn: string;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 300 });
    elb = new ElasticLoadBalancingV2Client(clientConfig(sim));
    ecs = ecsClient(sim);
    group = await createGroup(elb, 'faults-web');
    ({ listenerArn } = await createAlb(elb, 'faults', [group]));
    clusterArn =
      (await ecs.send(new CreateClusterCommand({ clusterName: 'faults' }))).cluster?.clusterArn ?? '';
  });

  afterAll(async () => {
    elb.destroy();
    ecs.destroy();
    await sim.stop();
  });

  beforeEach(() => {
    sim.faults.clear();
    sim.log.clear();
  });

  const createRule = (client: ElasticLoadBalancingV2Client, priority: number, value: string) =>
    client.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: priority,
        Conditions: [
          { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Who', Values: [value] } },
        ],
        Actions: [{ Type: 'forward', TargetGroupArn: group }],
      }),
    );
  const rulesAt = async (priority: number) =>
    ((await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? []).filter(
      (r) => r.Priority === String(priority),
    );
  const headerValue = (rule: { Conditions?: { HttpHeaderConfig?: { Values?: string[] } }[] }) =>
    rule.Conditions?.[0]?.HttpHeaderConfig?.Values?.[0];

  it('landThen5xx: the write stays although the caller is told 500', async () => {
    sim.faults.add({ operation: 'CreateRule', kind: 'landThen5xx', count: 1 });
    await expect(createRule(elb, 100, 'a')).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
    const [rule] = await rulesAt(100);
    expect(rule && headerValue(rule)).toBe('a');
    // The call log counts it as a change that landed, so "nothing changed" checks see it.
    const call = sim.log.calls.find((c) => c.operation === 'CreateRule');
    expect(call).toMatchObject({ error: 'InternalFailure' });
    expect(call?.landedAt).toBeDefined();
    expect(sim.log.mutations().map((c) => c.operation)).toEqual(['CreateRule']);
  });

  it("landThen5xx: the SDK's own retry then meets the change it made", async () => {
    const retrying = new ElasticLoadBalancingV2Client(clientConfig(sim, 3));
    sim.faults.add({ operation: 'CreateRule', kind: 'landThen5xx', count: 1 });
    await expect(createRule(retrying, 101, 'b')).rejects.toMatchObject({ name: 'PriorityInUseException' });
    retrying.destroy();
    expect(sim.log.calls.filter((c) => c.operation === 'CreateRule').map((c) => c.error)).toEqual([
      'InternalFailure',
      'PriorityInUse',
    ]);
    expect((await rulesAt(101)).map(headerValue)).toEqual(['b']);
  });

  it("lateEffect (answer after): a second creator wins while the first one's write has not landed", async () => {
    sim.faults.add({ operation: 'CreateRule', kind: 'lateEffect', effectDelayMs: 600, count: 1 });
    const started = Date.now();
    const first = createRule(elb, 102, 'first').then(
      () => 'created',
      (e: Error) => e.name,
    );
    await sleep(100);
    // Not visible yet: reads and the uniqueness check see the listener without it.
    expect(await rulesAt(102)).toEqual([]);
    await createRule(elb, 102, 'second');
    expect(await first).toBe('PriorityInUseException');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect((await rulesAt(102)).map(headerValue)).toEqual(['second']);
  });

  it('lateEffect (answer after) with latency: the caller hears even later than the change lands', async () => {
    sim.faults.add({
      operation: 'CreateRule',
      kind: 'lateEffect',
      effectDelayMs: 300,
      latencyMs: 400,
      count: 1,
    });
    const started = Date.now();
    const answer = createRule(elb, 103, 'slow');
    await sleep(500);
    expect((await rulesAt(103)).map(headerValue)).toEqual(['slow']);
    await answer;
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    const call = sim.log.calls.find((c) => c.operation === 'CreateRule');
    expect((call?.landedAt ?? 0) - (call?.at ?? 0)).toBeGreaterThanOrEqual(300);
  });

  it('lateEffect (answer before): the tag write answers at once and shows up later', async () => {
    sim.faults.add({
      operation: 'TagResource',
      kind: 'lateEffect',
      effectDelayMs: 500,
      answer: 'before',
      count: 1,
    });
    const started = Date.now();
    await ecs.send(
      new TagResourceCommand({ resourceArn: clusterArn, tags: [{ key: 'holder', value: 'a' }] }),
    );
    expect(Date.now() - started).toBeLessThan(400);
    const tags = async () =>
      ((await ecs.send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags ?? []).filter(
        (t) => t.key === 'holder',
      );
    expect(await tags()).toEqual([]);
    // A later writer lands first; the late one then overwrites it: last writer wins, as tags do.
    await ecs.send(
      new TagResourceCommand({ resourceArn: clusterArn, tags: [{ key: 'holder', value: 'b' }] }),
    );
    expect((await tags()).map((t) => t.value)).toEqual(['b']);
    await sleep(600 - (Date.now() - started));
    expect((await tags()).map((t) => t.value)).toEqual(['a']);
  });

  it('refuses an early answer for a write whose answer carries the resource', () => {
    expect(() =>
      sim.faults.add({ operation: 'CreateRule', kind: 'lateEffect', effectDelayMs: 100, answer: 'before' }),
    ).toThrow(/empty answer/);
    expect(() => sim.faults.add({ operation: 'CreateRule', kind: 'lateEffect' })).toThrow(/effectDelayMs/);
  });

  it('a timed window: 5xx only between from and until', async () => {
    const now = Date.now();
    sim.faults.add({ operation: 'DescribeRules', kind: 'error5xx', from: now, until: now + 300 });
    await expect(elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 500 },
    });
    await sleep(350);
    await expect(elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).resolves.toBeDefined();
  });

  it('records which access key signed each call', async () => {
    const other = new ElasticLoadBalancingV2Client({
      ...clientConfig(sim),
      credentials: { accessKeyId: 'AKIAOTHERCALLER00000', secretAccessKey: 'x' },
    });
    await other.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    other.destroy();
    expect(sim.log.calls.map((c) => c.accessKeyId)).toEqual(['AKIAOTHERCALLER00000', 'AKIASIMULATOR0000000']);
  });
});
