/**
 * The pieces of a one-off task: where it is placed (the service's network, launch type or
 * capacity providers, inputs on top), which overrides RunTask gets, where the awslogs driver
 * writes, and how a stopped task is judged.
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { awslogsDestination } from '../../src/aws/logs.js';
import { judgeStoppedTask, placementFor } from '../../src/aws/run-task.js';
import { containerOverrides } from '../../src/release/one-off-task.js';
import type { RunTaskOptions } from '../../src/settings/settings.js';

const options = (o: Partial<RunTaskOptions> = {}): RunTaskOptions => ({
  environment: [],
  startedBy: 'deploy-action',
  ...o,
});
const vpc = {
  subnets: ['subnet-0123456789abcdef0'],
  securityGroups: ['sg-0123456789abcdef0'],
  assignPublicIp: 'DISABLED' as const,
};

describe('placementFor', () => {
  const ecsMock = mockClient(ECSClient);
  const ecs = new ECSClient({ region: 'us-east-1' });
  afterEach(() => {
    ecsMock.reset();
  });

  it("takes the service's network and capacity provider strategy (then no launch type)", async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          status: 'ACTIVE',
          launchType: 'FARGATE',
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
          networkConfiguration: { awsvpcConfiguration: vpc },
          platformVersion: '1.4.0',
        },
      ],
    });
    expect(await placementFor(ecs, 'prod', 'web', options())).toEqual({
      networkConfiguration: { awsvpcConfiguration: vpc },
      launchType: undefined,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      platformVersion: '1.4.0',
    });
  });

  it('lets inputs replace subnets, security groups, public IP and the launch type', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        { status: 'ACTIVE', launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: vpc } },
      ],
    });
    const p = await placementFor(
      ecs,
      'prod',
      'web',
      options({ subnets: ['subnet-0fedcba9876543210'], assignPublicIp: true, launchType: 'EC2' }),
    );
    expect(p).toMatchObject({
      launchType: 'EC2',
      capacityProviderStrategy: undefined,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0fedcba9876543210'],
          securityGroups: vpc.securityGroups,
          assignPublicIp: 'ENABLED',
        },
      },
    });
  });

  it('without a service: the subnets given, on Fargate; an inactive service is refused', async () => {
    expect(await placementFor(ecs, 'prod', undefined, options({ subnets: vpc.subnets }))).toMatchObject({
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: vpc.subnets } },
    });
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(0);
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ status: 'INACTIVE' }] });
    await expect(placementFor(ecs, 'prod', 'gone', options())).rejects.toThrow(
      /gone \(input "service"\) is not an active service/,
    );
  });
});

describe('containerOverrides', () => {
  const def = { family: 'shop', containerDefinitions: [{ name: 'web' }, { name: 'worker' }] };

  it('puts the command on the main container and environment entries where their prefix says', () => {
    expect(
      containerOverrides(
        def,
        undefined,
        options({
          command: ['npm', 'run', 'migrate'],
          environment: [
            ['TARGET', 'v2'],
            ['worker/QUEUE', 'none'],
          ],
        }),
      ),
    ).toEqual([
      { name: 'web', command: ['npm', 'run', 'migrate'], environment: [{ name: 'TARGET', value: 'v2' }] },
      { name: 'worker', environment: [{ name: 'QUEUE', value: 'none' }] },
    ]);
    expect(containerOverrides(def, 'worker', options({ command: ['x'] }))).toEqual([
      { name: 'worker', command: ['x'] },
    ]);
    expect(containerOverrides(def, undefined, options())).toEqual([]);
  });

  it('refuses a container the definition does not have', () => {
    expect(() => containerOverrides(def, undefined, options({ environment: [['db/URL', 'x']] }))).toThrow(
      /no container named "db".*Expected one of: web, worker/,
    );
  });
});

describe('awslogsDestination', () => {
  it('is <prefix>/<container>/<task-id> in the group, only for awslogs with a prefix', () => {
    const c = {
      name: 'web',
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/shop', 'awslogs-stream-prefix': 'shop' },
      },
    };
    expect(awslogsDestination(c, 'abc')).toEqual({
      group: '/ecs/shop',
      stream: 'shop/web/abc',
      region: undefined,
    });
    expect(awslogsDestination({ ...c, logConfiguration: { logDriver: 'fluentd' } }, 'abc')).toBeUndefined();
    expect(
      awslogsDestination(
        { name: 'web', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/g' } } },
        'abc',
      ),
    ).toBeUndefined();
  });
});

describe('judgeStoppedTask', () => {
  const essential = (name: string) => name !== 'sidecar';
  const task = (
    stopCode: string,
    codes: Record<string, number | undefined>,
    stoppedReason = 'Essential container in task exited',
  ) => ({
    stopCode: stopCode as never,
    stoppedReason,
    containers: Object.entries(codes).map(([name, exitCode]) => ({ name, exitCode })),
  });

  it('succeeds only when every essential container exited 0 by itself', () => {
    expect(judgeStoppedTask(task('EssentialContainerExited', { web: 0, sidecar: 137 }), essential).ok).toBe(
      true,
    );
    const failed = judgeStoppedTask(task('EssentialContainerExited', { web: 2 }), essential);
    expect(failed).toMatchObject({ ok: false, why: 'web exited with code 2' });
  });

  it('fails a task that was stopped or never started, whatever the exit codes', () => {
    expect(judgeStoppedTask(task('UserInitiated', { web: 0 }, 'Job cancelled'), essential)).toMatchObject({
      ok: false,
      why: 'the task stopped: Job cancelled',
    });
    expect(
      judgeStoppedTask(
        task('TaskFailedToStart', { web: undefined }, 'CannotPullContainerError: not found'),
        essential,
      ).ok,
    ).toBe(false);
  });
});
