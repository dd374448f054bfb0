import {
  type Action,
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  ModifyTargetGroupAttributesCommand,
  PriorityInUseException,
  RemoveTagsCommand,
  ResourceInUseException,
  type RuleCondition,
  RuleNotFoundException,
  SetRulePrioritiesCommand,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAlb, createGroup, request } from '../elb/testing.js';
import { Simulator } from '../index.js';

describe('ELBv2 control plane', () => {
  let sim: Simulator;
  let client: ElasticLoadBalancingV2Client;

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
    await sim.stop();
  });

  const forward = (TargetGroupArn: string) => [{ Type: 'forward' as const, TargetGroupArn }];

  it('creates and describes load balancers, listeners and target groups with AWS-shaped ARNs', async () => {
    const tg = await createGroup(client, 'api-web');
    const { loadBalancerArn, listenerArn } = await createAlb(client, 'api-lb', [tg]);
    expect(loadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/api-lb\/[0-9a-f]{16}$/,
    );
    expect(listenerArn).toMatch(/:listener\/app\/api-lb\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    expect(tg).toMatch(/:targetgroup\/api-web\/[0-9a-f]{16}$/);

    const byName = await client.send(new DescribeLoadBalancersCommand({ Names: ['api-lb'] }));
    expect(byName.LoadBalancers?.[0]).toMatchObject({
      LoadBalancerArn: loadBalancerArn,
      Type: 'application',
      State: { Code: 'active' },
    });
    const listeners = await client.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }));
    expect(listeners.Listeners).toHaveLength(1);
    expect(listeners.Listeners?.[0]).toMatchObject({ Port: 80, Protocol: 'HTTP' });
    expect(listeners.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: tg, Weight: 1 },
    ]);

    const groups = await client.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: loadBalancerArn }));
    expect(groups.TargetGroups?.map((g) => g.TargetGroupArn)).toEqual([tg]);
    expect(groups.TargetGroups?.[0]?.LoadBalancerArns).toEqual([loadBalancerArn]);

    await expect(
      client.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [`${loadBalancerArn}0`] })),
    ).rejects.toBeInstanceOf(LoadBalancerNotFoundException);
    await expect(
      client.send(new DescribeListenersCommand({ ListenerArns: [`${listenerArn}0`] })),
    ).rejects.toBeInstanceOf(ListenerNotFoundException);
    await expect(client.send(new DescribeTargetGroupsCommand({ Names: ['nope'] }))).rejects.toBeInstanceOf(
      TargetGroupNotFoundException,
    );
  });

  it('applies AWS health-check defaults and validates target group names', async () => {
    const out = await client.send(
      new CreateTargetGroupCommand({
        Name: 'defaults',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: 'vpc-1',
        TargetType: 'ip',
      }),
    );
    expect(out.TargetGroups?.[0]).toMatchObject({
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      HealthCheckPort: 'traffic-port',
      TargetType: 'ip',
      LoadBalancerArns: [],
    });
    // The same definition again is idempotent; a different one under the same name is not.
    const again = await client.send(
      new CreateTargetGroupCommand({
        Name: 'defaults',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: 'vpc-1',
        TargetType: 'ip',
      }),
    );
    expect(again.TargetGroups?.[0]?.TargetGroupArn).toBe(out.TargetGroups?.[0]?.TargetGroupArn);
    await expect(
      client.send(
        new CreateTargetGroupCommand({ Name: 'defaults', Protocol: 'HTTP', Port: 81, VpcId: 'vpc-1' }),
      ),
    ).rejects.toMatchObject({ name: 'DuplicateTargetGroupNameException' });
    for (const bad of ['x'.repeat(33), '-lead', 'trail-', 'under_score']) {
      await expect(
        client.send(new CreateTargetGroupCommand({ Name: bad, Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1' })),
      ).rejects.toMatchObject({ name: 'ValidationError' });
    }
    await expect(
      client.send(
        new CreateTargetGroupCommand({
          Name: 'bad-timeout',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: 'vpc-1',
          HealthCheckIntervalSeconds: 10,
          HealthCheckTimeoutSeconds: 10,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('reads and changes target group attributes', async () => {
    const tg = await createGroup(client, 'attrs');
    const before = await client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg }));
    expect(before.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '300' });
    expect(before.Attributes).toContainEqual({ Key: 'stickiness.enabled', Value: 'false' });
    await client.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tg,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
      }),
    );
    expect(sim.elb.deregistrationDelayMs(tg)).toBe(30_000);
    await expect(
      client.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tg,
          Attributes: [{ Key: 'bogus', Value: '1' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('keeps rule priorities unique per listener and lists the default rule last', async () => {
    const a = await createGroup(client, 'rules-a');
    const b = await createGroup(client, 'rules-b');
    const { listenerArn } = await createAlb(client, 'rules-lb', [a]);
    const rule = (priority: number, host: string) =>
      client.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: priority,
          Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }],
          Actions: forward(b),
        }),
      );
    const r10 = (await rule(10, 'a.example.com')).Rules?.[0];
    const r20 = (await rule(20, 'b.example.com')).Rules?.[0];
    expect(r10).toMatchObject({ Priority: '10', IsDefault: false });
    await expect(rule(10, 'c.example.com')).rejects.toBeInstanceOf(PriorityInUseException);
    await expect(rule(10, 'c.example.com')).rejects.toThrow("Priority '10' is currently in use");

    const rules = await client.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    expect(rules.Rules?.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['10', false],
      ['20', false],
      ['default', true],
    ]);
    const defaultRule = rules.Rules?.[2]?.RuleArn ?? '';

    // Swapping two priorities in one call is allowed; the end state is what must be unique.
    await client.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: r10?.RuleArn, Priority: 20 },
          { RuleArn: r20?.RuleArn, Priority: 10 },
        ],
      }),
    );
    const swapped = await client.send(new DescribeRulesCommand({ RuleArns: [r10?.RuleArn ?? ''] }));
    expect(swapped.Rules?.[0]?.Priority).toBe('20');

    await expect(client.send(new DeleteRuleCommand({ RuleArn: defaultRule }))).rejects.toMatchObject({
      name: 'OperationNotPermittedException',
    });
    await client.send(new DeleteRuleCommand({ RuleArn: r10?.RuleArn }));
    await expect(client.send(new DeleteRuleCommand({ RuleArn: r10?.RuleArn }))).rejects.toBeInstanceOf(
      RuleNotFoundException,
    );
  });

  it('validates rule conditions and actions', async () => {
    const tg = await createGroup(client, 'rule-checks');
    const { listenerArn } = await createAlb(client, 'rule-checks', [tg]);
    const create = (Conditions: RuleCondition[], Actions: Action[]) =>
      client.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 7, Conditions, Actions }));
    await expect(
      create(
        [{ Field: 'host-header', HostHeaderConfig: { Values: [`${'a'.repeat(120)}.example.com`] } }],
        forward(tg),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      create(
        [{ Field: 'path-pattern', Values: ['/x'] }],
        [
          { Type: 'forward', TargetGroupArn: tg, Order: 1 },
          { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' }, Order: 2 },
        ],
      ),
    ).rejects.toMatchObject({ name: 'InvalidConfigurationRequestException' });
    await expect(create([], forward(tg))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      client.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: 50001,
          Conditions: [{ Field: 'path-pattern', Values: ['/x'] }],
          Actions: forward(tg),
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('closes every listener port when the simulator stops', async () => {
    const other = await Simulator.start({ timeScale: 300 });
    const otherClient = new ElasticLoadBalancingV2Client({
      endpoint: other.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' },
    });
    const tg = await createGroup(otherClient, 'closing');
    const { listenerArn } = await createAlb(otherClient, 'closing', [tg]);
    const url = other.elb.listenerUrl(listenerArn);
    expect((await request(url)).status).toBe(503);
    otherClient.destroy();
    await other.stop();
    expect((await request(url)).error).toMatch(/ECONNREFUSED/);
  });

  it('refuses more than 100 rules per load balancer', async () => {
    const tg = await createGroup(client, 'many-rules');
    const { listenerArn } = await createAlb(client, 'many-rules', [tg]);
    for (let i = 1; i <= 100; i++) {
      await client.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: i,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/p${i}/*`] } }],
          Actions: forward(tg),
        }),
      );
    }
    await expect(
      client.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: 101,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/last'] } }],
          Actions: forward(tg),
        }),
      ),
    ).rejects.toMatchObject({ name: 'TooManyRulesException' });
  });

  it('will not delete a target group a listener or rule still uses', async () => {
    const live = await createGroup(client, 'in-use-live');
    const ruled = await createGroup(client, 'in-use-rule');
    const { listenerArn } = await createAlb(client, 'in-use', [live]);
    const rule = await client.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: forward(ruled),
      }),
    );
    await expect(client.send(new DeleteTargetGroupCommand({ TargetGroupArn: live }))).rejects.toBeInstanceOf(
      ResourceInUseException,
    );
    await expect(client.send(new DeleteTargetGroupCommand({ TargetGroupArn: ruled }))).rejects.toBeInstanceOf(
      ResourceInUseException,
    );
    await client.send(new DeleteRuleCommand({ RuleArn: rule.Rules?.[0]?.RuleArn }));
    await client.send(new DeleteTargetGroupCommand({ TargetGroupArn: ruled }));
    await client.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await client.send(new DeleteTargetGroupCommand({ TargetGroupArn: live }));
    await expect(
      client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [live] })),
    ).rejects.toBeInstanceOf(TargetGroupNotFoundException);
  });

  it('changes nothing when ModifyListener names a missing target group', async () => {
    const tg = await createGroup(client, 'atomic');
    const { listenerArn } = await createAlb(client, 'atomic', [tg]);
    await expect(
      client.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: tg, Weight: 50 },
                  { TargetGroupArn: tg.replace(/[0-9a-f]{16}$/, '0000000000000000'), Weight: 50 },
                ],
              },
            },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(TargetGroupNotFoundException);
    const after = await client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
    expect(after.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: tg, Weight: 1 },
    ]);
  });

  it('refuses a listener on a port already taken and a target group of another load balancer', async () => {
    const tg = await createGroup(client, 'owned');
    const { loadBalancerArn } = await createAlb(client, 'owner', [tg]);
    await expect(
      client.send(
        new CreateListenerCommand({
          LoadBalancerArn: loadBalancerArn,
          Port: 80,
          DefaultActions: forward(tg),
        }),
      ),
    ).rejects.toMatchObject({ name: 'DuplicateListenerException' });
    const other = await client.send(
      new CreateLoadBalancerCommand({ Name: 'other', Subnets: ['s-1', 's-2'] }),
    );
    await expect(
      client.send(
        new CreateListenerCommand({
          LoadBalancerArn: other.LoadBalancers?.[0]?.LoadBalancerArn,
          Port: 80,
          DefaultActions: forward(tg),
        }),
      ),
    ).rejects.toMatchObject({ name: 'TargetGroupAssociationLimitException' });
  });

  it('tags resources, at most 20 per call, and deregisters unknown targets without complaint', async () => {
    const tg = await createGroup(client, 'tagged');
    const { loadBalancerArn } = await createAlb(client, 'tagged', [tg]);
    await client.send(
      new AddTagsCommand({
        ResourceArns: [tg, loadBalancerArn],
        Tags: [
          { Key: 'app', Value: 'web' },
          { Key: 'color', Value: 'blue' },
        ],
      }),
    );
    await client.send(new RemoveTagsCommand({ ResourceArns: [tg], TagKeys: ['color'] }));
    const tags = await client.send(new DescribeTagsCommand({ ResourceArns: [tg, loadBalancerArn] }));
    expect(tags.TagDescriptions?.map((d) => d.Tags?.map((t) => t.Key))).toEqual([['app'], ['app', 'color']]);
    await expect(
      client.send(new DescribeTagsCommand({ ResourceArns: Array.from({ length: 21 }, () => tg) })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      client.send(
        new DescribeTagsCommand({ ResourceArns: [tg.replace(/[0-9a-f]{16}$/, '0000000000000000')] }),
      ),
    ).rejects.toBeInstanceOf(TargetGroupNotFoundException);

    await client.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '127.0.0.1', Port: 1 }] }),
    );
  });
});
