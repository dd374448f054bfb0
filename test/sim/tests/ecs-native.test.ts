import {
  ContinueServiceDeploymentCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client, ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createNativeInfra,
  createNativeService,
  type NativeInfra,
  nativeLoadBalancer,
} from '../ecs/native-testing.js';
import { clientConfig, ecsClient, registerWeb } from '../ecs/testing.js';
import { createAlb, createGroup, startTraffic } from '../elb/testing.js';
import { Simulator } from '../index.js';

const CLUSTER = 'native';

describe('ECS-native blue/green, linear and canary deployments', () => {
  let sim: Simulator;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  let n = 0;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 300 });
    ecs = ecsClient(sim);
    elb = new ElasticLoadBalancingV2Client(clientConfig(sim));
  });

  afterAll(async () => {
    ecs.destroy();
    elb.destroy();
    await sim.stop();
  });

  /** Fresh infrastructure and a steady native service on web:v1 for each test. */
  async function setUp(
    deploymentConfiguration?: Parameters<typeof createNativeService>[3]['deploymentConfiguration'],
  ) {
    n++;
    const infra = await createNativeInfra(elb, `nat${n}`);
    const service = `web${n}`;
    await createNativeService(sim, ecs, infra, {
      cluster: CLUSTER,
      service,
      image: 'web:v1',
      deploymentConfiguration,
    });
    const v2 = await registerWeb(ecs, service, 'web:v2');
    return { infra, service, v2 };
  }

  const weights = (ruleArn: string) =>
    Object.fromEntries(
      (sim.elb.rules.get(ruleArn)?.actions[0]?.ForwardConfig?.TargetGroups ?? []).map((t) => [
        t.TargetGroupArn,
        t.Weight,
      ]),
    );

  async function newest(service: string): Promise<ServiceDeployment> {
    const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service }));
    const arn = list.serviceDeployments?.[0]?.serviceDeploymentArn ?? '';
    const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
    return out.serviceDeployments?.[0] ?? {};
  }

  /** Waits until the newest service deployment satisfies `predicate`; returns it. */
  async function waitDeployment(service: string, what: string, predicate: (d: ServiceDeployment) => boolean) {
    let last: ServiceDeployment = {};
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      last = await newest(service);
      if (predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}; last: ${last.status} ${last.lifecycleStage}`);
  }

  const paused = (stage: string) => (d: ServiceDeployment) =>
    d.lifecycleStage === stage && (d.lifecycleHookDetails ?? []).some((h) => h.status === 'AWAITING_ACTION');

  async function continueAt(service: string, stage: string, action: 'CONTINUE' | 'ROLLBACK' = 'CONTINUE') {
    const d = await waitDeployment(service, `pause at ${stage}`, paused(stage));
    const hook = d.lifecycleHookDetails?.find((h) => h.status === 'AWAITING_ACTION');
    await ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: d.serviceDeploymentArn ?? '',
        hookId: hook?.hookId ?? '',
        action,
      }),
    );
    return d;
  }

  const PAUSES = [
    {
      targetType: 'PAUSE' as const,
      lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const, 'PRE_PRODUCTION_TRAFFIC_SHIFT' as const],
      timeoutConfiguration: { timeoutInMinutes: 60, action: 'ROLLBACK' as const },
    },
  ];

  it('runs a canary through the stages in order, holding at PAUSE hooks, without a failed request', async () => {
    const { infra, service, v2 } = await setUp({
      strategy: 'CANARY',
      bakeTimeInMinutes: 1,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
      lifecycleHooks: PAUSES,
    });
    expect(weights(infra.productionRule)).toEqual({ [infra.blueGroup]: 100, [infra.greenGroup]: 0 });
    const traffic = startTraffic(sim.elb.listenerUrl(infra.productionListener), 40);
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, taskDefinition: v2 }));

    const atTest = await continueAt(service, 'POST_TEST_TRAFFIC_SHIFT');
    // Green has all the test traffic and none of production.
    expect(atTest.targetServiceRevision?.requestedTestTrafficWeight).toBe(100);
    expect(atTest.targetServiceRevision?.requestedProductionTrafficWeight).toBe(0);
    expect(weights(infra.testRule)).toEqual({ [infra.blueGroup]: 0, [infra.greenGroup]: 100 });
    expect(weights(infra.productionRule)).toEqual({ [infra.blueGroup]: 100, [infra.greenGroup]: 0 });
    const testReply = await fetch(`${sim.elb.listenerUrl(infra.testListener)}/`);
    expect(((await testReply.json()) as { version: string }).version).toBe('v2');

    await continueAt(service, 'PRE_PRODUCTION_TRAFFIC_SHIFT');
    // The second PRE_PRODUCTION_TRAFFIC_SHIFT comes after the canary step and its bake.
    const second = await waitDeployment(
      service,
      'second pre-production pause',
      (d) =>
        paused('PRE_PRODUCTION_TRAFFIC_SHIFT')(d) &&
        d.targetServiceRevision?.requestedProductionTrafficWeight === 10,
    );
    expect(weights(infra.productionRule)).toEqual({ [infra.blueGroup]: 90, [infra.greenGroup]: 10 });
    await continueAt(service, 'PRE_PRODUCTION_TRAFFIC_SHIFT');
    const done = await waitDeployment(service, 'SUCCESSFUL', (d) => d.status === 'SUCCESSFUL');
    const records = await traffic.stop();

    expect(second.serviceDeploymentArn).toBe(done.serviceDeploymentArn);
    expect(weights(infra.productionRule)).toEqual({ [infra.blueGroup]: 0, [infra.greenGroup]: 100 });
    expect(records.filter((r) => r.status !== 200 || r.error)).toEqual([]);
    expect(records.length).toBeGreaterThan(10);
    const run = sim.ecs.native.runOf(sim.ecs.getService(CLUSTER, service)!.serviceDeployments[0]!)!;
    expect(run.stages.map((s) => s.stage)).toEqual([
      'PRE_SCALE_UP',
      'SCALE_UP',
      'POST_SCALE_UP',
      'TEST_TRAFFIC_SHIFT',
      'POST_TEST_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'POST_PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME',
      'CLEAN_UP',
    ]);
    // The canary bake and the deployment bake each lasted their simulated minute.
    const at = (stage: string, i = 0) => run.stages.filter((s) => s.stage === stage)[i]!.at;
    expect(at('PRE_PRODUCTION_TRAFFIC_SHIFT', 1) - at('PRODUCTION_TRAFFIC_SHIFT', 0)).toBeGreaterThanOrEqual(
      60_000,
    );
    expect(at('CLEAN_UP') - at('BAKE_TIME')).toBeGreaterThanOrEqual(60_000);
    // Blue was drained after the bake: only v2 tasks are left.
    await sim.ecs.waitForSteady(CLUSTER, service);
    expect(new Set(sim.ecs.healthyTasks(CLUSTER, service).map((t) => t.taskDefinitionArn))).toEqual(
      new Set([v2]),
    );
    expect(
      sim.ecs
        .healthyTasks(CLUSTER, service)
        .every(
          (t) =>
            sim.elb.targetHealth(infra.greenGroup, { id: '127.0.0.1', port: t.port ?? 0 }).State ===
            'healthy',
        ),
    ).toBe(true);
  });

  it('rolls back from the test-traffic stage by ContinueServiceDeployment ROLLBACK: production never moved', async () => {
    const { infra, service, v2 } = await setUp({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: PAUSES,
    });
    const traffic = startTraffic(sim.elb.listenerUrl(infra.productionListener), 40);
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, taskDefinition: v2 }));
    await continueAt(service, 'POST_TEST_TRAFFIC_SHIFT', 'ROLLBACK');
    const d = await waitDeployment(service, 'ROLLBACK_SUCCESSFUL', (x) => x.status === 'ROLLBACK_SUCCESSFUL');
    const records = await traffic.stop();
    expect(d.rollback?.reason).toMatch(/ContinueServiceDeployment/);
    expect(weights(infra.testRule)).toEqual({ [infra.blueGroup]: 100, [infra.greenGroup]: 0 });
    expect(records.filter((r) => r.status !== 200 || r.error)).toEqual([]);
    expect(records.length).toBeGreaterThan(10);
    expect(records.every((r) => (JSON.parse(r.body) as { version: string }).version === 'v1')).toBe(true);
    const run = sim.ecs.native.runOf(sim.ecs.getService(CLUSTER, service)!.serviceDeployments[0]!)!;
    expect(run.stages.map((s) => s.stage)).not.toContain('PRODUCTION_TRAFFIC_SHIFT');
  });

  it('applies the hook timeout action: ROLLBACK rolls back, CONTINUE goes on', async () => {
    const rollback = await setUp({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: [
        {
          targetType: 'PAUSE',
          lifecycleStages: ['POST_SCALE_UP'],
          timeoutConfiguration: { timeoutInMinutes: 1 },
        },
      ],
    });
    await ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: rollback.service, taskDefinition: rollback.v2 }),
    );
    const d = await waitDeployment(
      rollback.service,
      'timeout rollback',
      (x) => x.status === 'ROLLBACK_SUCCESSFUL',
    );
    expect(d.lifecycleHookDetails?.[0]).toMatchObject({
      status: 'TIMED_OUT',
      timeoutAction: 'ROLLBACK',
      targetType: 'PAUSE',
    });

    const goOn = await setUp({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: [
        {
          targetType: 'PAUSE',
          lifecycleStages: ['POST_SCALE_UP'],
          timeoutConfiguration: { timeoutInMinutes: 1, action: 'CONTINUE' },
        },
      ],
    });
    await ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: goOn.service, taskDefinition: goOn.v2 }),
    );
    await waitDeployment(goOn.service, 'success after timeout', (x) => x.status === 'SUCCESSFUL');
  });

  it('rolls back a canary step on a deployment alarm and restores production weights', async () => {
    const { infra, service, v2 } = await setUp({
      strategy: 'CANARY',
      bakeTimeInMinutes: 5,
      canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 30 },
      alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
    });
    const { PutMetricAlarmCommand, SetAlarmStateCommand, CloudWatchClient } = await import(
      '@aws-sdk/client-cloudwatch'
    );
    const cw = new CloudWatchClient(clientConfig(sim));
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-5xx',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1000,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, taskDefinition: v2 }));
    await waitDeployment(
      service,
      'canary step',
      (d) => d.targetServiceRevision?.requestedProductionTrafficWeight === 20,
    );
    expect(weights(infra.productionRule)).toEqual({ [infra.blueGroup]: 80, [infra.greenGroup]: 20 });
    sim.cloudwatch.pauseEvaluation();
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'test' }),
    );
    const d = await waitDeployment(service, 'alarm rollback', (x) => x.status === 'ROLLBACK_SUCCESSFUL');
    sim.cloudwatch.resumeEvaluation();
    cw.destroy();
    expect(d.alarms).toMatchObject({ status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] });
    expect(weights(infra.productionRule)).toEqual({ [infra.blueGroup]: 100, [infra.greenGroup]: 0 });
  });

  it('StopServiceDeployment ROLLBACK mid-canary restores blue; ABORT stops where it is', async () => {
    const canary = {
      strategy: 'CANARY' as const,
      bakeTimeInMinutes: 5,
      canaryConfiguration: { canaryPercent: 30, canaryBakeTimeInMinutes: 60 },
    };
    const a = await setUp(canary);
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: a.service, taskDefinition: a.v2 }));
    const step = await waitDeployment(
      a.service,
      'canary',
      (d) => d.targetServiceRevision?.requestedProductionTrafficWeight === 30,
    );
    const traffic = startTraffic(sim.elb.listenerUrl(a.infra.productionListener), 40);
    await new Promise((r) => setTimeout(r, 200));
    await ecs.send(
      new StopServiceDeploymentCommand({
        serviceDeploymentArn: step.serviceDeploymentArn,
        stopType: 'ROLLBACK',
      }),
    );
    expect(weights(a.infra.productionRule)).toEqual({ [a.infra.blueGroup]: 100, [a.infra.greenGroup]: 0 });
    await waitDeployment(a.service, 'rolled back', (d) => d.status === 'ROLLBACK_SUCCESSFUL');
    // Green is drained only after the restored weights reached the load balancer: no request failed.
    const records = await traffic.stop();
    expect(records.filter((r) => r.status !== 200 || r.error)).toEqual([]);

    const b = await setUp(canary);
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: b.service, taskDefinition: b.v2 }));
    const stepB = await waitDeployment(
      b.service,
      'canary',
      (d) => d.targetServiceRevision?.requestedProductionTrafficWeight === 30,
    );
    await ecs.send(
      new StopServiceDeploymentCommand({
        serviceDeploymentArn: stepB.serviceDeploymentArn,
        stopType: 'ABORT',
      }),
    );
    const stopped = await waitDeployment(b.service, 'stopped', (d) => d.status === 'STOPPED');
    expect(stopped.stoppedAt).toBeDefined();
    expect(weights(b.infra.productionRule)).toEqual({ [b.infra.blueGroup]: 70, [b.infra.greenGroup]: 30 });
  });

  it('shifts linear steps with PRE_PRODUCTION_TRAFFIC_SHIFT before each', async () => {
    const { infra, service, v2 } = await setUp({
      strategy: 'LINEAR',
      bakeTimeInMinutes: 0,
      linearConfiguration: { stepPercent: 40, stepBakeTimeInMinutes: 1 },
    });
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, taskDefinition: v2 }));
    await waitDeployment(service, 'linear done', (d) => d.status === 'SUCCESSFUL');
    const run = sim.ecs.native.runOf(sim.ecs.getService(CLUSTER, service)!.serviceDeployments[0]!)!;
    const shifts = run.stages
      .filter((s) => s.stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT')
      .map((s) => s.productionPercent);
    expect(shifts).toEqual([0, 40, 80]);
    expect(weights(infra.productionRule)).toEqual({ [infra.blueGroup]: 0, [infra.greenGroup]: 100 });
  });

  it('invokes Lambda hooks until they answer, and rolls back when the function fails or does not exist', async () => {
    const fn = 'arn:aws:lambda:us-east-1:123456789012:function:smoke';
    let calls = 0;
    sim.ecs.native.lambdas.set(fn, () =>
      ++calls < 3 ? { hookStatus: 'IN_PROGRESS', callBackDelay: 10 } : { hookStatus: 'SUCCEEDED' },
    );
    const lambdaHook = (arn: string) => ({
      targetType: 'AWS_LAMBDA' as const,
      hookTargetArn: arn,
      roleArn: 'arn:aws:iam::123456789012:role/hooks',
      lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const],
      hookDetails: { path: '/health' },
    });
    const ok = await setUp({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: [lambdaHook(fn)],
    });
    await ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: ok.service, taskDefinition: ok.v2 }),
    );
    await waitDeployment(ok.service, 'success', (d) => d.status === 'SUCCESSFUL');
    expect(calls).toBe(3);
    const invocation = sim.ecs.native.invocations.find((i) => i.functionArn === fn);
    expect(invocation?.payload).toMatchObject({
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
      hookDetails: { path: '/health' },
    });

    const missing = await setUp({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: [lambdaHook('arn:aws:lambda:us-east-1:123456789012:function:gone')],
    });
    await ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: missing.service, taskDefinition: missing.v2 }),
    );
    await waitDeployment(missing.service, 'rollback', (d) => d.status === 'ROLLBACK_SUCCESSFUL');
  });

  it('migrates a rolling service: one UpdateService sets the strategy, the advanced configuration and the revision', async () => {
    n++;
    const infra = await createNativeInfra(elb, `nat${n}`);
    const service = `web${n}`;
    const { createSteadyService } = await import('../ecs/testing.js');
    await createSteadyService(sim, ecs, {
      cluster: CLUSTER,
      service,
      taskDefinition: await registerWeb(ecs, service, 'web:v1'),
      desiredCount: 2,
      loadBalancers: [{ targetGroupArn: infra.blueGroup, containerName: 'web', containerPort: 8080 }],
    });
    const v2 = await registerWeb(ecs, service, 'web:v2');
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service,
        taskDefinition: v2,
        deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, lifecycleHooks: PAUSES },
        loadBalancers: [nativeLoadBalancer(infra)],
      }),
    );
    await waitDeployment(service, 'pause at test stage', paused('POST_TEST_TRAFFIC_SHIFT'));
    expect(weights(infra.testRule)).toEqual({ [infra.blueGroup]: 0, [infra.greenGroup]: 100 });
    await new Promise((r) => setTimeout(r, 100));
    const reply = await fetch(`${sim.elb.listenerUrl(infra.testListener)}/`);
    expect(((await reply.json()) as { version: string }).version).toBe('v2');
    await continueAt(service, 'POST_TEST_TRAFFIC_SHIFT');
    await continueAt(service, 'PRE_PRODUCTION_TRAFFIC_SHIFT');
    await waitDeployment(service, 'done', (d) => d.status === 'SUCCESSFUL');
  });

  it('alternates the groups: the next deployment goes back to the first group', async () => {
    const { infra, service, v2 } = await setUp();
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, taskDefinition: v2 }));
    await waitDeployment(service, 'first', (d) => d.status === 'SUCCESSFUL');
    await sim.ecs.waitForSteady(CLUSTER, service);
    const v3 = await registerWeb(ecs, service, 'web:v3');
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, taskDefinition: v3 }));
    const d = await waitDeployment(
      service,
      'second',
      (x) => x.status === 'SUCCESSFUL' && x.targetServiceRevision?.arn !== undefined,
    );
    expect(weights(infra.productionRule)).toEqual({ [infra.blueGroup]: 100, [infra.greenGroup]: 0 });
    const revisions = await ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: [d.targetServiceRevision?.arn ?? ''] }),
    );
    expect(revisions.serviceRevisions?.[0]).toMatchObject({ taskDefinition: v3 });
    expect(revisions.serviceRevisions?.[0]?.loadBalancers?.[0]?.targetGroupArn).toBe(infra.blueGroup);
  });

  it('answers ContinueServiceDeployment errors and refuses an update while a native deployment runs', async () => {
    const { service, v2 } = await setUp({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: PAUSES,
    });
    await expect(
      ecs.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/native/x/none',
          hookId: 'ecs-pause-x',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ServiceDeploymentNotFoundException' });
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, taskDefinition: v2 }));
    const d = await waitDeployment(service, 'pause', paused('POST_TEST_TRAFFIC_SHIFT'));
    await expect(
      ecs.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: d.serviceDeploymentArn,
          hookId: 'ecs-pause-nope',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    const v3 = await registerWeb(ecs, service, 'web:v3');
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, taskDefinition: v3 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: d.serviceDeploymentArn }));
    await waitDeployment(service, 'rolled back', (x) => x.status === 'ROLLBACK_SUCCESSFUL');
  });

  describe('refuses bad configurations before changing anything', () => {
    let infra: NativeInfra;
    let td: string;
    let other: { group: string };

    beforeAll(async () => {
      infra = await createNativeInfra(elb, 'natbad');
      td = await registerWeb(ecs, 'bad', 'web:v1');
      const group = await createGroup(elb, 'natbad-other');
      await createAlb(elb, 'natbad-other', [group]);
      other = { group };
    });

    const create = (deploymentConfiguration: Record<string, unknown>, lb: Record<string, unknown> = {}) =>
      ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: `bad${++n}`,
          taskDefinition: td,
          desiredCount: 1,
          deploymentConfiguration,
          loadBalancers: [{ ...nativeLoadBalancer(infra), ...lb }],
        }),
      );
    const adv = (patch: Record<string, unknown>) => ({
      advancedConfiguration: { ...nativeLoadBalancer(infra).advancedConfiguration, ...patch },
    });

    it.each([
      ['no bake time', { strategy: 'BLUE_GREEN' }, {}, /bakeTimeInMinutes/],
      [
        'a canary setting on blue/green',
        { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, canaryConfiguration: {} },
        {},
        /CANARY/,
      ],
      [
        'a canary of 0.05 %',
        { strategy: 'CANARY', bakeTimeInMinutes: 0, canaryConfiguration: { canaryPercent: 0.05 } },
        {},
        /canaryPercent/,
      ],
      [
        'linear steps of 2 %',
        { strategy: 'LINEAR', bakeTimeInMinutes: 0, linearConfiguration: { stepPercent: 2 } },
        {},
        /stepPercent/,
      ],
      [
        'a bake of 1441 minutes',
        { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1441 },
        {},
        /bakeTimeInMinutes/,
      ],
      [
        'a PAUSE hook at PRODUCTION_TRAFFIC_SHIFT',
        {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 0,
          lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }],
        },
        {},
        /PAUSE hooks cannot/,
      ],
      [
        'a Lambda hook without a function',
        {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 0,
          lifecycleHooks: [{ lifecycleStages: ['POST_SCALE_UP'] }],
        },
        {},
        /hookTargetArn/,
      ],
      [
        'hooks with the rolling strategy',
        { lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_SCALE_UP'] }] },
        {},
        /Lifecycle hooks/,
      ],
      [
        'no advanced configuration',
        { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 },
        { advancedConfiguration: undefined },
        /advancedConfiguration/,
      ],
      [
        'a missing alternate group',
        { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 },
        {
          alternate: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/none/0123456789abcdef',
        },
        /alternateTargetGroupArn/,
      ],
    ])('%s', async (_what, config, patch, message) => {
      const before = sim.ecs.state.services.size;
      const lb = 'alternate' in patch ? adv({ alternateTargetGroupArn: patch.alternate }) : patch;
      await expect(create(config, lb)).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringMatching(message),
      });
      expect(sim.ecs.state.services.size).toBe(before);
    });

    it('an alternate group on another load balancer, a rule with a non-forward action, a role ECS cannot assume', async () => {
      await expect(
        create({ strategy: 'CANARY', bakeTimeInMinutes: 0 }, adv({ alternateTargetGroupArn: other.group })),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
      await expect(
        create(
          { strategy: 'CANARY', bakeTimeInMinutes: 0 },
          adv({ productionListenerRule: `${infra.productionRule}0` }),
        ),
      ).rejects.toMatchObject({
        message: expect.stringMatching(/productionListenerRule/),
      });
      sim.ecs.native.unassumableRoles.add('arn:aws:iam::123456789012:role/nobody');
      await expect(
        create(
          { strategy: 'CANARY', bakeTimeInMinutes: 0 },
          adv({ roleArn: 'arn:aws:iam::123456789012:role/nobody' }),
        ),
      ).rejects.toMatchObject({
        message: expect.stringMatching(/unable to assume/),
      });
      await elb.send(
        new ModifyRuleCommand({
          RuleArn: infra.testRule,
          Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }],
        }),
      );
      await expect(create({ strategy: 'CANARY', bakeTimeInMinutes: 0 })).rejects.toMatchObject({
        message: expect.stringMatching(/other than forward/),
      });
    });

    it('the CODE_DEPLOY controller', async () => {
      await expect(
        ecs.send(
          new CreateServiceCommand({
            cluster: CLUSTER,
            serviceName: `bad${++n}`,
            taskDefinition: td,
            desiredCount: 1,
            deploymentController: { type: 'CODE_DEPLOY' },
            deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 },
          }),
        ),
      ).rejects.toMatchObject({ message: expect.stringMatching(/ECS deployment controller/) });
    });
  });
});
