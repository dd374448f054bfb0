import {
  type Deployment,
  DescribeServicesCommand,
  type DescribeServicesCommandInput,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { diagnoseDeployment, rootCause } from '../../src/aws/diagnose.js';
import { batchTargets, type Clock, type WatchOptions, watchDeployments } from '../../src/aws/watch.js';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'eu-west-1' });

/** A clock whose sleep passes instantly: the watcher's timing is checked in virtual time. */
function virtualClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

function svc(name: string, d: Partial<Deployment>, extra: Partial<Service> = {}): Service {
  return {
    serviceName: name,
    serviceArn: `arn:aws:ecs:eu-west-1:123456789012:service/prod/${name}`,
    status: 'ACTIVE',
    deployments: [
      {
        id: `ecs-svc/${name}`,
        status: 'PRIMARY',
        desiredCount: 2,
        runningCount: 0,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: 'IN_PROGRESS',
        ...d,
      },
    ],
    ...extra,
  };
}

const done = (name: string) => svc(name, { runningCount: 2, rolloutState: 'COMPLETED' });

function options(over: Partial<WatchOptions> = {}): WatchOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    pollIntervalMs: 5000,
    timeoutMs: 60_000,
    circuitBreaker: true,
    log: (l) => lines.push(l),
    lines,
    ...over,
  };
}

const target = (name: string, cluster = 'prod') => ({
  cluster,
  service: name,
  deploymentId: `ecs-svc/${name}`,
});

beforeEach(() => {
  ecsMock.reset();
});

describe('watchDeployments', () => {
  it('prints progress only when it changes and ends on the poll that sees completion', async () => {
    const answers = [
      svc('web', { pendingCount: 2 }),
      svc('web', { pendingCount: 2 }),
      svc('web', { runningCount: 1, pendingCount: 1 }),
      done('web'),
    ];
    ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [answers.shift()!] }));
    const clock = virtualClock();
    const o = options({ clock });
    const [result] = await watchDeployments(ecs, [target('web')], o);
    expect(result!.verdict.state).toBe('succeeded');
    expect(result!.knownAt).toBe(20_000);
    expect(o.lines).toEqual([
      'web: 0/2 running, 2 pending, 0 failed',
      'web: 1/2 running, 1 pending, 0 failed',
      'web: 2/2 running, 0 pending, 0 failed',
      'web: deployment ecs-svc/web completed (2/2 running, 0 pending, 0 failed).',
    ]);
    expect(clock.slept).toEqual([5000, 5000, 5000, 5000]);
  });

  it('reads 25 services in 3 calls per poll, per cluster, and drops finished ones', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `s${i}`);
    // The first poll (3 calls) sees everything in progress; the second sees everything done.
    let poll = 0;
    ecsMock.on(DescribeServicesCommand).callsFake((input: DescribeServicesCommandInput) => {
      poll++;
      return { services: input.services!.map((n) => (poll > 3 ? done(n) : svc(n, {}))) };
    });
    const calls: number[] = [];
    const results = await watchDeployments(
      ecs,
      names.map((n) => target(n)),
      options({ clock: virtualClock(), onPoll: (n) => calls.push(n) }),
    );
    expect(results.every((r) => r.verdict.state === 'succeeded')).toBe(true);
    expect(calls).toEqual([3, 3]);
    const sizes = ecsMock.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services!.length);
    expect(sizes).toEqual([10, 10, 5, 10, 10, 5]);
  });

  it('batches by cluster', () => {
    const batches = batchTargets([target('a', 'one'), target('b', 'two'), target('c', 'one')]);
    expect(batches.map((b) => b.map((t) => t.service))).toEqual([['a', 'c'], ['b']]);
  });

  it('backs off on throttling that outlasts the SDK retries, then returns to the interval', async () => {
    const throttle = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ecsMock
      .on(DescribeServicesCommand)
      .rejectsOnce(throttle)
      .rejectsOnce(throttle)
      .resolvesOnce({ services: [svc('web', {})] })
      .resolves({ services: [done('web')] });
    const clock = virtualClock();
    const [result] = await watchDeployments(ecs, [target('web')], options({ clock }));
    expect(result!.verdict.state).toBe('succeeded');
    expect(clock.slept).toEqual([5000, 10_000, 20_000, 5000]);
  });

  it('waits out 5xx answers and lost connections with backoff, warning once per outage', async () => {
    const server = Object.assign(new Error('We encountered an internal error.'), {
      name: 'InternalFailure',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
    ecsMock
      .on(DescribeServicesCommand)
      .rejectsOnce(server)
      .rejectsOnce(refused)
      .rejectsOnce(server)
      .resolvesOnce({ services: [svc('web', {})] })
      .resolves({ services: [done('web')] });
    const clock = virtualClock();
    const warnings: string[] = [];
    const o = options({ clock, timeoutMs: 120_000, warn: (w) => warnings.push(w) });
    const [result] = await watchDeployments(ecs, [target('web')], o);
    expect(result!.verdict.state).toBe('succeeded');
    expect(clock.slept).toEqual([5000, 10_000, 20_000, 40_000, 5000]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/InternalFailure.*retries with backoff until the timeout/);
    expect(o.lines).toContain('ECS answers again after 1m10s (3 failed reads).');
  });

  it('an outage that lasts past the timeout ends in the timeout, not an error', async () => {
    const server = Object.assign(new Error('boom'), {
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 503 },
    });
    ecsMock.on(DescribeServicesCommand).rejects(server);
    const [result] = await watchDeployments(
      ecs,
      [target('web')],
      options({ clock: virtualClock(), warn: () => {} }),
    );
    expect(result!.verdict).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/^timed out after 1m/),
    });
  });

  it('still fails at once on an error that is not transient', async () => {
    const denied = Object.assign(new Error('not allowed'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    ecsMock.on(DescribeServicesCommand).rejects(denied);
    await expect(watchDeployments(ecs, [target('web')], options({ clock: virtualClock() }))).rejects.toThrow(
      /AccessDeniedException/,
    );
  });

  it('times out exactly at the timeout, naming the input and the last progress', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [svc('web', { runningCount: 1, pendingCount: 1 })] });
    const clock = virtualClock();
    const [result] = await watchDeployments(ecs, [target('web')], options({ clock, timeoutMs: 12_000 }));
    expect(result!.verdict).toMatchObject({
      state: 'failed',
      reason: 'timed out after 12s (input "timeout") with 1/2 running, 1 pending, 0 failed',
    });
    expect(clock.slept).toEqual([5000, 5000, 2000]);
  });

  it('applies the ECS threshold itself when the circuit breaker is off', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [svc('web', { failedTasks: 3 })] });
    const [off] = await watchDeployments(
      ecs,
      [target('web')],
      options({ clock: virtualClock(), circuitBreaker: false }),
    );
    expect(off!.verdict).toMatchObject({ state: 'failed', reason: expect.stringMatching(/threshold 3/) });

    const [on] = await watchDeployments(
      ecs,
      [target('web')],
      options({ clock: virtualClock(), timeoutMs: 10_000 }),
    );
    expect(on!.verdict).toMatchObject({ state: 'failed', reason: expect.stringMatching(/timed out/) });

    const [explicit] = await watchDeployments(
      ecs,
      [target('web')],
      options({ clock: virtualClock(), failedTasksThreshold: 2 }),
    );
    expect(explicit!.verdict).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/threshold 2/),
    });
  });

  it('fails a service that disappeared', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [],
      failures: [{ arn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web', reason: 'MISSING' }],
    });
    const [result] = await watchDeployments(ecs, [target('web')], options({ clock: virtualClock() }));
    expect(result!.verdict).toMatchObject({ state: 'failed', reason: 'service not found (MISSING)' });
  });
});

describe('diagnoseDeployment', () => {
  it('reads the stopped tasks of our deployment and the health-check events', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        svc(
          'web',
          {},
          {
            events: [
              {
                message:
                  '(service web) (task abc) (port 8080) is unhealthy in (target-group arn:tg) due to (reason Health checks failed with these codes: [503]).',
              },
              { message: '(service web) has started 1 tasks: (task abc).' },
            ],
          },
        ),
      ],
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:eu-west-1:123456789012:task/prod/abc'] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc',
          stoppedReason: 'Task failed ELB health checks in (target-group arn:tg)',
          stopCode: 'ServiceSchedulerInitiated',
          startedBy: 'ecs-svc/1',
          containers: [{ name: 'web', exitCode: 137, healthStatus: 'UNKNOWN' }],
        },
        {
          taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/old',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/0)',
          stopCode: 'ServiceSchedulerInitiated',
          startedBy: 'ecs-svc/0',
          containers: [{ name: 'web', exitCode: 0 }],
        },
      ],
    });
    const d = await diagnoseDeployment(ecs, 'prod', 'web', 'ecs-svc/1');
    // startedBy is ListTasks' only filter when used, and alone it lists running tasks: the
    // service's stopped tasks are listed and the deployment's picked from DescribeTasks.
    const listed = ecsMock.commandCalls(ListTasksCommand)[0]!.args[0].input;
    expect(listed).toMatchObject({ cluster: 'prod', serviceName: 'web', desiredStatus: 'STOPPED' });
    expect(listed.startedBy).toBeUndefined();
    expect(rootCause(d)).toEqual([
      'task abc: Task failed ELB health checks in (target-group arn:tg) (ServiceSchedulerInitiated); container web, exit code 137',
      '(service web) (task abc) (port 8080) is unhealthy in (target-group arn:tg) due to (reason Health checks failed with these codes: [503]).',
    ]);
    expect(d.lastEvents).toHaveLength(2);
  });
});
