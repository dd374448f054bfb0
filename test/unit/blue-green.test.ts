/**
 * Blue-green building blocks without AWS: the traffic plan and smoke-test forms of the
 * settings, listener weight edits, smoke-test response checks, metric gates, the lock tag, and
 * the journal's undo (order, idempotence, no step after an undo started).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, type Datapoint, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../src/aws/clients.js';
import { holderOf, lockRuleInput, lockTags, tagValue } from '../../src/aws/lock-rule.js';
import {
  judgeGates,
  loadBalancerDimension,
  readGateMetrics,
  targetGroupDimension,
} from '../../src/aws/metrics.js';
import { type Route, setWeights, weightsOf, withWeights } from '../../src/aws/traffic.js';
import { Journal, type JournalState, undoEntries } from '../../src/release/journal.js';
import { listenerOf, runIdentity } from '../../src/release/lock.js';
import { parseTrafficSteps } from '../../src/settings/blue-green-fields.js';
import { readSettings } from '../../src/settings/read-settings.js';
import { checkResponse, expectationOf } from '../../src/smoke/smoke.js';
import { idleServiceInput } from '../../src/strategies/blue-green/create-idle.js';
import { readTopology } from '../../src/strategies/blue-green/topology.js';

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/0123456789abcdef/fedcba9876543210';
const RULE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/0123456789abcdef/fedcba9876543210/00112233';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-blue/0123456789abcdef';
const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-green/fedcba9876543210';

const base = { cluster: 'prod', service: 'shop', strategy: 'blue-green', listener: LISTENER };

describe('blue-green settings', () => {
  it('reads traffic plans', () => {
    expect(parseTrafficSteps('all-at-once')).toEqual([100]);
    expect(parseTrafficSteps('canary 10%')).toEqual([10, 100]);
    expect(parseTrafficSteps('linear 25%')).toEqual([25, 50, 75, 100]);
    expect(parseTrafficSteps('10%, 50%, 100%')).toEqual([10, 50, 100]);
    expect(parseTrafficSteps('50%, 10%, 100%')).toBeUndefined();
    expect(parseTrafficSteps('10%, 50%')).toBeUndefined();
    expect(parseTrafficSteps('canary 0%')).toBeUndefined();
  });

  it('applies defaults: <service>-blue/-green, all at once, 10 minute bake, 500 ms p95', () => {
    const s = readSettings({ inputs: base, workspace: '/' });
    expect(s.blueGreen).toMatchObject({
      listener: LISTENER,
      services: { blue: 'shop-blue', green: 'shop-green' },
      steps: [100],
      bakeTimeMs: 600_000,
      maxP95LatencyMs: 500,
      proceedOnAlarm: false,
      smokeTests: [],
    });
    expect(
      readSettings({ inputs: { cluster: 'c', service: 's' }, workspace: '/' }).blueGreen,
    ).toBeUndefined();
  });

  it('reads the compact smoke-test form', () => {
    const s = readSettings({
      inputs: {
        ...base,
        'test-url': 'http://test.example.com:8443/',
        'smoke-tests':
          'GET /health\nPOST /api/echo 201 header:Content-Type=application/json body:{"a":1} json:a=1 contains:a max-latency:500ms retries:3',
      },
      workspace: '/',
    });
    expect(s.blueGreen?.testUrl).toBe('http://test.example.com:8443');
    expect(s.blueGreen?.smokeTests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/health', status: 200, retries: 2, json: [] }),
      expect.objectContaining({
        method: 'POST',
        path: '/api/echo',
        status: 201,
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":1}',
        json: [['a', 1]],
        contains: 'a',
        maxLatencyMs: 500,
        retries: 3,
      }),
    ]);
  });

  it('reads smoke tests as a YAML list from the config file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-settings-'));
    writeFileSync(
      path.join(dir, 'deploy.yml'),
      [
        'strategy: blue-green',
        `listener: ${LISTENER}`,
        'test-url: https://test.example.com:8443',
        'traffic-steps: [10, 50, 100]',
        'smoke-tests:',
        '  - path: /health',
        '  - method: post',
        '    path: /api/orders',
        '    headers: { X-Smoke: "1" }',
        '    body: { item: 42 }',
        '    status: 201',
        '    json: { status: created }',
        '    max-latency: 500ms',
        '    retry-delay: 2s',
      ].join('\n'),
    );
    const s = readSettings({
      inputs: { cluster: 'prod', service: 'shop', config: 'deploy.yml' },
      workspace: dir,
    });
    expect(s.blueGreen?.steps).toEqual([10, 50, 100]);
    expect(s.blueGreen?.smokeTests).toEqual([
      expect.objectContaining({ name: 'GET /health', method: 'GET', status: 200 }),
      expect.objectContaining({
        name: 'POST /api/orders',
        method: 'POST',
        headers: { 'X-Smoke': '1' },
        body: '{"item":42}',
        status: 201,
        json: [['status', 'created']],
        maxLatencyMs: 500,
        retryDelayMs: 2000,
      }),
    ]);
  });

  it('names the input and the expected form in errors', () => {
    expect(() => readSettings({ inputs: { ...base, listener: '' }, workspace: '/' })).toThrow(
      /Input "listener" is required for strategy "blue-green"/,
    );
    expect(() => readSettings({ inputs: { ...base, 'traffic-steps': 'canary' }, workspace: '/' })).toThrow(
      /Input "traffic-steps" is invalid \("canary"\).*Expected: `all-at-once`, `canary 10%`/,
    );
    expect(() =>
      readSettings({
        inputs: { ...base, 'smoke-tests': 'GET /x 200 wat:1', 'test-url': 'http://x' },
        workspace: '/',
      }),
    ).toThrow(/Input "smoke-tests".*"wat:1" is not a status code or a known option/);
    expect(() => readSettings({ inputs: { ...base, 'smoke-tests': 'GET /x' }, workspace: '/' })).toThrow(
      /Input "test-url" is required/,
    );
    expect(() => readSettings({ inputs: { ...base, services: 'a,b', service: '' }, workspace: '/' })).toThrow(
      /one service at a time/,
    );
  });
});

describe('listener weights', () => {
  const route = (actions: Route['actions']): Route => ({ arn: LISTENER, kind: 'listener', actions });

  it('reads weights of a weighted forward and of a single-group forward', () => {
    expect(
      weightsOf(
        route([
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: BLUE, Weight: 90 },
                { TargetGroupArn: GREEN, Weight: 10 },
              ],
            },
          },
        ]),
      ),
    ).toEqual({ [BLUE]: 90, [GREEN]: 10 });
    expect(weightsOf(route([{ Type: 'forward', TargetGroupArn: BLUE }]))).toEqual({ [BLUE]: 1 });
    expect(() => weightsOf(route([{ Type: 'fixed-response' }]))).toThrow(/has no forward action/);
  });

  it('replaces only the forward action and keeps stickiness and other actions', () => {
    const auth = { Type: 'authenticate-oidc' as const, Order: 1 };
    const actions = withWeights(
      route([
        auth,
        {
          Type: 'forward',
          Order: 2,
          TargetGroupArn: BLUE,
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: BLUE, Weight: 1 }],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
          },
        },
      ]),
      { [BLUE]: 0, [GREEN]: 100 },
    );
    expect(actions).toEqual([
      auth,
      {
        Type: 'forward',
        Order: 2,
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: BLUE, Weight: 0 },
            { TargetGroupArn: GREEN, Weight: 100 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
        },
      },
    ]);
  });

  it('modifies a listener rule with ModifyRule', async () => {
    const elb = mockClient(ElasticLoadBalancingV2Client);
    elb
      .on(DescribeRulesCommand)
      .resolves({ Rules: [{ RuleArn: RULE, Actions: [{ Type: 'forward', TargetGroupArn: BLUE }] }] });
    elb.on(ModifyRuleCommand).resolves({});
    await setWeights(new ElasticLoadBalancingV2Client({ region: 'us-east-1' }), RULE, {
      [BLUE]: 100,
      [GREEN]: 0,
    });
    expect(
      elb.commandCalls(ModifyRuleCommand)[0]!.args[0].input.Actions![0]!.ForwardConfig!.TargetGroups,
    ).toEqual([
      { TargetGroupArn: BLUE, Weight: 100 },
      { TargetGroupArn: GREEN, Weight: 0 },
    ]);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
    elb.restore();
  });
});

describe('smoke-test checks', () => {
  const test = {
    name: 'GET /v',
    method: 'GET',
    path: '/v',
    headers: {},
    status: 200,
    json: [['build.version', 'v2']] as [string, unknown][],
    retries: 0,
    retryDelayMs: 0,
    maxLatencyMs: 500,
  };
  it('passes an answer that meets every expectation', () => {
    expect(checkResponse(test, 200, '{"build":{"version":"v2"}}', 20)).toBeUndefined();
    expect(expectationOf(test)).toBe('200, build.version = "v2", ≤ 500ms');
  });
  it('says what was wrong', () => {
    expect(checkResponse(test, 503, 'down', 20)).toBe('503: down');
    expect(checkResponse(test, 200, '{"build":{"version":"v1"}}', 20)).toBe('200 with build.version = "v1"');
    expect(checkResponse(test, 200, 'hello', 20)).toBe('200 with a body that is not JSON: hello');
    expect(checkResponse(test, 200, '{"build":{"version":"v2"}}', 900)).toBe('200 after 900ms (limit 500ms)');
    expect(checkResponse({ ...test, json: [], contains: 'ok' }, 200, 'nope', 1)).toBe(
      '200 without "ok": nope',
    );
    expect(checkResponse({ ...test, json: [], regex: '^v\\d+$' }, 200, 'x', 1)).toBe(
      '200 not matching /^v\\d+$/: x',
    );
  });
});

describe('metric gates', () => {
  it('reads CloudWatch dimensions from ARNs', () => {
    expect(loadBalancerDimension(LISTENER)).toBe('app/shop/0123456789abcdef');
    expect(loadBalancerDimension(RULE)).toBe('app/shop/0123456789abcdef');
    expect(targetGroupDimension(GREEN)).toBe('targetgroup/shop-green/fedcba9876543210');
  });
  it('fails on a 5xx rate or p95 above the limit', () => {
    const limits = { max5xxRatePercent: 1, maxP95LatencyMs: 500 };
    const m = { minutes: 2 };
    expect(judgeGates({ ...m, requests: 1000, errors5xx: 5, p95Ms: 120 }, limits)).toBeUndefined();
    expect(judgeGates({ ...m, requests: 1000, errors5xx: 20, p95Ms: 120 }, limits)).toMatch(
      /5xx rate 2.0% \(20 of 1000 requests\) is above 1%/,
    );
    expect(judgeGates({ ...m, requests: 1000, errors5xx: 0, p95Ms: 800 }, limits)).toMatch(
      /p95 response time 800ms is above 500ms/,
    );
    expect(
      judgeGates({ ...m, requests: 10, errors5xx: 0, p95Ms: 800 }, { maxP95LatencyMs: 0 }),
    ).toBeUndefined();
  });
  it('judges only the minutes CloudWatch returns that began inside the window', async () => {
    const cw = mockClient(CloudWatchClient);
    const start = new Date('2026-12-01T10:00:30Z');
    const point = (iso: string, v: Partial<Datapoint>) => ({ Timestamp: new Date(iso), ...v });
    cw.on(GetMetricStatisticsCommand, { MetricName: 'RequestCount' }).resolves({
      // The minute the step began in (rounded down by CloudWatch) holds traffic from before: left out.
      Datapoints: [point('2026-12-01T10:00:00Z', { Sum: 500 }), point('2026-12-01T10:01:00Z', { Sum: 100 })],
    });
    cw.on(GetMetricStatisticsCommand, { MetricName: 'HTTPCode_Target_5XX_Count' }).resolves({
      Datapoints: [point('2026-12-01T10:00:00Z', { Sum: 400 }), point('2026-12-01T10:01:00Z', { Sum: 3 })],
    });
    cw.on(GetMetricStatisticsCommand, { MetricName: 'TargetResponseTime' }).resolves({
      Datapoints: [point('2026-12-01T10:01:00Z', { ExtendedStatistics: { p95: 0.25 } })],
    });
    const reading = await readGateMetrics(
      cw as unknown as CloudWatchClient,
      { listenerArn: LISTENER, targetGroupArn: GREEN },
      { start, end: new Date('2026-12-01T10:05:00Z') },
      { max5xxRatePercent: 1, maxP95LatencyMs: 500 },
    );
    expect(reading).toEqual({ minutes: 1, requests: 100, errors5xx: 3, p95Ms: 250 });
    expect(cw.commandCalls(GetMetricStatisticsCommand)[0]!.args[0].input).toMatchObject({
      Period: 60,
      StartTime: start,
    });
    cw.restore();
  });
});

describe('release lock rule', () => {
  const holder = {
    token: '0123456789abcdef0123456789abcdef',
    ...runIdentity({
      serverUrl: 'https://github.com',
      repository: 'example/app',
      runId: '1001',
      runAttempt: '2',
      actor: 'octo cat',
      sha: '0123456789abcdef0123456789abcdef01234567',
      event: {},
    }),
    scope: 'prod/shop-blue',
    expiresAt: Date.UTC(2026, 0, 1),
  };

  it('names its holder in tags ELB accepts, and reads them back', () => {
    const tags = lockTags(holder);
    for (const t of tags) {
      expect(t.Key!.length).toBeLessThanOrEqual(128);
      expect(t.Value!.length).toBeLessThanOrEqual(256);
      expect(t.Value).toMatch(/^[\p{L}\p{N} _.:/=+\-@]+$/u);
    }
    expect(holderOf(tags)).toEqual({
      ...holder,
      runUrl: 'https://github.com/example/app/actions/runs/1001/attempts/2',
    });
    expect(holderOf([{ Key: 'team', Value: 'checkout' }])).toBeUndefined();
    expect(tagValue('x'.repeat(300)).length).toBe(256);
  });

  it('matches no real request: one header only the holder knows, a fixed 404', () => {
    const input = lockRuleInput(LISTENER, holder);
    expect(input.Priority).toBe(50_000);
    expect(input.Conditions).toEqual([
      {
        Field: 'http-header',
        HttpHeaderConfig: { HttpHeaderName: 'X-Deploy-Action-Lock', Values: [holder.token] },
      },
    ]);
    expect(input.Actions[0]).toMatchObject({
      Type: 'fixed-response',
      FixedResponseConfig: { StatusCode: '404' },
    });
  });

  it('finds the listener of a listener rule', () => {
    expect(listenerOf(RULE)).toBe(LISTENER);
    expect(listenerOf(LISTENER)).toBe(LISTENER);
  });
});

describe('journal', () => {
  const mocks = () => ({ ecs: mockClient(ECSClient), elb: mockClient(ElasticLoadBalancingV2Client) });
  let ecs: ReturnType<typeof mocks>['ecs'];
  let elb: ReturnType<typeof mocks>['elb'];
  beforeEach(() => {
    ({ ecs, elb } = mocks());
  });
  afterEach(() => {
    ecs.restore();
    elb.restore();
  });
  const clients = (): AwsClients => ({
    region: 'us-east-1',
    ecs: new ECSClient({ region: 'us-east-1' }),
    elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
    cloudwatch: new CloudWatchClient({ region: 'us-east-1' }),
    autoscaling: new ApplicationAutoScalingClient({ region: 'us-east-1' }),
    logs: new CloudWatchLogsClient({ region: 'us-east-1' }),
    ecr: () => {
      throw new Error('no ECR here');
    },
  });

  it('saves each step before it runs and undoes backwards: production traffic first', async () => {
    const order: string[] = [];
    ecs.on(UpdateServiceCommand).callsFake(async () => {
      order.push('UpdateService');
      return {};
    });
    elb
      .on(DescribeListenersCommand)
      .resolves({ Listeners: [{ DefaultActions: [{ Type: 'forward', TargetGroupArn: BLUE }] }] });
    elb.on(ModifyListenerCommand).callsFake(async () => {
      order.push('ModifyListener');
      return {};
    });
    const saved: JournalState[] = [];
    const journal = new Journal(clients(), undefined, (s) => saved.push(structuredClone(s)));
    let savedBeforeRun = false;
    await journal.perform(
      { kind: 'service', cluster: 'prod', service: 'shop-green', desiredCount: 0, taskDefinition: 'td:1' },
      async () => {
        savedBeforeRun = saved.length === 1;
      },
    );
    await journal.perform(
      { kind: 'route', role: 'production', arn: LISTENER, weights: { [BLUE]: 100, [GREEN]: 0 } },
      async () => {},
    );
    expect(savedBeforeRun).toBe(true);

    const report = await journal.undo(() => {});
    expect(order).toEqual(['ModifyListener', 'UpdateService']);
    expect(report.done).toEqual([
      `Production traffic restored: shop-blue=100, shop-green=0.`,
      'shop-green set back to 0 tasks of td:1.',
    ]);
    expect(saved.at(-1)!.entries.every((e) => e.undone)).toBe(true);
    // No new step once the undo started: a late traffic shift must not win over the restore.
    await expect(
      journal.perform({ kind: 'route', role: 'test', arn: LISTENER, weights: {} }, async () => {}),
    ).rejects.toThrow(/cancelled/);
  });

  it('lets the post step finish what the main step could not, and repeat nothing done', async () => {
    ecs.on(UpdateServiceCommand).rejectsOnce(new Error('timeout')).resolves({});
    const state: JournalState = {
      region: 'us-east-1',
      entries: [
        {
          step: {
            kind: 'service',
            cluster: 'prod',
            service: 'shop-green',
            desiredCount: 0,
            taskDefinition: 'td:1',
          },
        },
        {
          step: { kind: 'route', role: 'production', arn: LISTENER, weights: { [BLUE]: 100 } },
          undone: true,
        },
      ],
    };
    const first = await undoEntries(
      clients(),
      state,
      () => {},
      () => {},
    );
    expect(first.failed).toHaveLength(1);
    const second = await undoEntries(
      clients(),
      state,
      () => {},
      () => {},
    );
    expect(second).toEqual({ done: ['shop-green set back to 0 tasks of td:1.'], failed: [] });
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
    const third = await undoEntries(
      clients(),
      state,
      () => {},
      () => {},
    );
    expect(third).toEqual({ done: [], failed: [] });
  });

  it('undoes only while the release lock is ours; a check that could not be made does not stop it', async () => {
    ecs.on(UpdateServiceCommand).resolves({});
    const state = (): JournalState => ({
      region: 'us-east-1',
      entries: [
        {
          step: {
            kind: 'service',
            cluster: 'prod',
            service: 'shop-green',
            desiredCount: 0,
            taskDefinition: 'td:1',
          },
        },
      ],
    });
    const lost = Object.assign(new Error('another run holds it'), { name: 'LockLostError' });
    const held = await undoEntries(
      clients(),
      state(),
      () => {},
      () => {},
      async () => {
        throw lost;
      },
    );
    expect(held.done).toEqual([]);
    expect(held.failed[0]).toMatch(/another run holds it/);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);

    const lines: string[] = [];
    const unsure = await undoEntries(
      clients(),
      state(),
      (l) => lines.push(l),
      () => {},
      async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
    );
    expect(unsure.done).toEqual(['shop-green set back to 0 tasks of td:1.']);
    expect(lines[0]).toMatch(/Could not confirm the release lock \(Rate exceeded\); undoing anyway/);
  });
});

describe('creating the idle service', () => {
  it('copies the live configuration with the idle target group and 0 tasks', () => {
    const input = idleServiceInput(
      {
        serviceName: 'shop-blue',
        taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop:7',
        launchType: 'FARGATE',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        platformVersion: '1.4.0',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } },
        loadBalancers: [{ targetGroupArn: BLUE, containerName: 'web', containerPort: 8080 }],
        healthCheckGracePeriodSeconds: 60,
        propagateTags: 'SERVICE',
        tags: [
          { key: 'team', value: 'checkout' },
          { key: 'deploy-action:lock', value: 'owner=x until=y' },
        ],
      },
      'prod',
      'shop-green',
      GREEN,
    );
    expect(input).toMatchObject({
      cluster: 'prod',
      serviceName: 'shop-green',
      desiredCount: 0,
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop:7',
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      platformVersion: '1.4.0',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } },
      loadBalancers: [{ targetGroupArn: GREEN, containerName: 'web', containerPort: 8080 }],
      healthCheckGracePeriodSeconds: 60,
      propagateTags: 'SERVICE',
      tags: [{ key: 'team', value: 'checkout' }],
    });
    // Capacity providers and a launch type exclude each other.
    expect(input.launchType).toBeUndefined();
  });
});

describe('reading the blue-green pair', () => {
  const bg = readSettings({ inputs: base, workspace: '/' }).blueGreen!;
  const service = (name: string, tg: string) => ({
    serviceName: name,
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/prod/${name}`,
    status: 'ACTIVE',
    desiredCount: name.endsWith('blue') ? 2 : 0,
    taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop:1',
    loadBalancers: [{ targetGroupArn: tg, containerName: 'web', containerPort: 8080 }],
  });
  const forward = (weights: [string, number][]) => ({
    Listeners: [
      {
        DefaultActions: [
          {
            Type: 'forward' as const,
            ForwardConfig: {
              TargetGroups: weights.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })),
            },
          },
        ],
      },
    ],
  });
  const setup = (services: object[], weights: [string, number][]) => {
    const ecs = mockClient(ECSClient);
    const elb = mockClient(ElasticLoadBalancingV2Client);
    ecs.on(DescribeServicesCommand).resolves({ services: services as never });
    elb.on(DescribeListenersCommand).resolves(forward(weights));
    const clients = {
      region: 'us-east-1',
      ecs: new ECSClient({ region: 'us-east-1' }),
      elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
    } as unknown as AwsClients;
    return {
      clients,
      done: () => {
        ecs.restore();
        elb.restore();
      },
    };
  };

  it('takes the live colour from the production weights', async () => {
    const { clients, done } = setup(
      [service('shop-blue', BLUE), service('shop-green', GREEN)],
      [
        [BLUE, 0],
        [GREEN, 100],
      ],
    );
    const t = await readTopology(clients, 'prod', bg);
    done();
    expect([t.live.service, t.idle.service, t.blue.service]).toEqual([
      'shop-green',
      'shop-blue',
      'shop-blue',
    ]);
  });

  it('refuses split traffic: a release did not finish', async () => {
    const { clients, done } = setup(
      [service('shop-blue', BLUE), service('shop-green', GREEN)],
      [
        [BLUE, 90],
        [GREEN, 10],
      ],
    );
    await expect(readTopology(clients, 'prod', bg)).rejects.toThrow(
      /Production traffic is split \(shop-blue=90, shop-green=10\)/,
    );
    done();
  });

  it('finds the target group of a missing idle service in the production forward action', async () => {
    const { clients, done } = setup(
      [service('shop-blue', BLUE)],
      [
        [BLUE, 1],
        [GREEN, 0],
      ],
    );
    const t = await readTopology(clients, 'prod', bg);
    done();
    expect(t.missing).toBe('green');
    expect(t.idle).toMatchObject({ service: 'shop-green', targetGroupArn: GREEN, desiredCount: 0 });
  });
});
