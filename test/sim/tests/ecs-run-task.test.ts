/**
 * RunTask as ECS answers it: what it refuses (and that nothing starts then), overrides reaching
 * the container, capacity providers, exit codes and stop reasons, and each container's output
 * in the CloudWatch Logs stream the awslogs driver names.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException as LogsInvalidParameterException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  type ECSClient,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOG_GROUP_MISSING } from '../ecs/scheduler.js';
import { clientConfig, ecsClient } from '../ecs/testing.js';
import { Simulator } from '../index.js';

const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'DISABLED' as const },
};
const GROUP = '/ecs/migrate';

describe('RunTask and the awslogs driver', () => {
  let sim: Simulator;
  let ecs: ECSClient;
  let logs: CloudWatchLogsClient;

  const register = async (
    family: string,
    container: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ) => {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'app',
            image: 'app:v1',
            essential: true,
            environment: [{ name: 'STAGE', value: 'staging' }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': GROUP,
                'awslogs-region': 'us-east-1',
                'awslogs-stream-prefix': 'migrate',
              },
            },
            ...container,
          },
        ],
        ...extra,
      }),
    );
    return out.taskDefinition!.taskDefinitionArn!;
  };
  const stopped = async (arn: string): Promise<Task> => {
    await sim.ecs.waitFor(() => sim.ecs.state.tasks.get(arn)?.lastStatus === 'STOPPED', {
      timeoutMs: 15_000,
    });
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'jobs', tasks: [arn] }));
    return tasks![0]!;
  };
  const taskId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 600 });
    ecs = ecsClient(sim);
    logs = new CloudWatchLogsClient(clientConfig(sim));
    await ecs.send(new CreateClusterCommand({ clusterName: 'jobs' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  });
  afterAll(async () => {
    const schedulerError = sim.ecs.scheduler.lastError;
    ecs.destroy();
    logs.destroy();
    await sim.stop();
    expect(schedulerError).toBeUndefined();
  });

  it('refuses what ECS refuses, and starts nothing', async () => {
    const td = await register('refused');
    const run = (extra: Record<string, unknown>) =>
      ecs.send(new RunTaskCommand({ cluster: 'jobs', taskDefinition: td, ...extra }));
    const before = sim.ecs.state.tasks.size;
    await expect(run({ launchType: 'FARGATE' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    });
    await expect(
      run({
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }],
      }),
    ).rejects.toThrow('Specifying both a launch type and capacity provider strategy is not supported');
    await expect(
      run({ networkConfiguration: NETWORK, capacityProviderStrategy: [{ capacityProvider: 'mine' }] }),
    ).rejects.toThrow('not associated with the cluster');
    // Neither a launch type nor a strategy, and no default strategy on the cluster: EC2, which has no instances here.
    await expect(run({ networkConfiguration: NETWORK })).rejects.toThrow(
      'No Container Instances were found in your cluster.',
    );
    await expect(
      run({ launchType: 'FARGATE', networkConfiguration: NETWORK, startedBy: 'deploy action!' }),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      run({
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        overrides: { containerOverrides: [{ name: 'ghost', command: ['x'] }] },
      }),
    ).rejects.toThrow('Override for container named ghost is not a container in the TaskDefinition.');
    expect(sim.ecs.state.tasks.size).toBe(before);
  });

  it('runs the overridden command with the overridden environment, and its output lands in prefix/container/task-id', async () => {
    const td = await register('migrate');
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: 'jobs',
        taskDefinition: td,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        startedBy: 'deploy-action/migrate',
        overrides: {
          containerOverrides: [
            {
              name: 'app',
              command: ['sh', '-c', 'echo migrating $STAGE to $TARGET; sleep 5; echo done'],
              environment: [{ name: 'TARGET', value: 'v42' }],
            },
          ],
        },
      }),
    );
    const arn = run.tasks![0]!.taskArn!;
    expect(run.tasks![0]!.startedBy).toBe('deploy-action/migrate');
    const task = await stopped(arn);
    expect(task).toMatchObject({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    });
    expect(task.containers![0]!.exitCode).toBe(0);
    expect(task.overrides!.containerOverrides![0]!.command).toEqual([
      'sh',
      '-c',
      'echo migrating $STAGE to $TARGET; sleep 5; echo done',
    ]);

    const stream = `migrate/app/${taskId(arn)}`;
    const streams = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: GROUP, logStreamNamePrefix: 'migrate/app/' }),
    );
    expect(streams.logStreams!.map((s) => s.logStreamName)).toContain(stream);
    const read = async () =>
      (await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream }))).events ?? [];
    // Ingestion is not instantaneous: poll until the lines are readable, as a reader on AWS would.
    let events = await read();
    for (let i = 0; i < 100 && events.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      events = await read();
    }
    expect(events.map((e) => e.message)).toEqual(['migrating staging to v42', 'done']);
    expect(events[1]!.timestamp! - events[0]!.timestamp!).toBeGreaterThanOrEqual(5000);
    const filtered = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: [stream], filterPattern: 'done' }),
    );
    expect(filtered.events!.map((e) => [e.logStreamName, e.message])).toEqual([[stream, 'done']]);
  });

  it('reports a failing script: its exit code, the stop reason and the lines it wrote', async () => {
    const td = await register('failing', {
      command: ['sh', '-c', 'echo applying 0042_add_index && psql -f 0042.sql && echo never'],
    });
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: 'jobs',
        taskDefinition: td,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        networkConfiguration: NETWORK,
      }),
    );
    const arn = run.tasks![0]!.taskArn!;
    const task = await stopped(arn);
    expect(task).toMatchObject({
      launchType: 'FARGATE',
      capacityProviderName: 'FARGATE_SPOT',
      stopCode: 'EssentialContainerExited',
    });
    expect(task.containers![0]!.exitCode).toBe(127);
    expect(sim.logs.messages(GROUP, `migrate/app/${taskId(arn)}`)).toEqual([
      'applying 0042_add_index',
      'sh: 1: psql: not found',
    ]);
  });

  it('fails to start a task whose log group does not exist, unless the driver may create it', async () => {
    const missing = await register('no-group', {
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/ghost', 'awslogs-stream-prefix': 'x' },
      },
    });
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: 'jobs',
        taskDefinition: missing,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
      }),
    );
    const task = await stopped(run.tasks![0]!.taskArn!);
    expect(task).toMatchObject({ stopCode: 'TaskFailedToStart', stoppedReason: LOG_GROUP_MISSING });
    expect(task.containers![0]!.exitCode).toBeUndefined();

    const creating = await register('create-group', {
      command: ['sh', '-c', 'echo hello'],
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/created',
          'awslogs-stream-prefix': 'x',
          'awslogs-create-group': 'true',
        },
      },
    });
    const ok = await ecs.send(
      new RunTaskCommand({
        cluster: 'jobs',
        taskDefinition: creating,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
      }),
    );
    const done = await stopped(ok.tasks![0]!.taskArn!);
    expect(done.containers![0]!.exitCode).toBe(0);
    expect(sim.logs.messages('/ecs/created', `x/app/${taskId(ok.tasks![0]!.taskArn!)}`)).toEqual(['hello']);
  });

  it('StopTask stops a running one-off task: UserInitiated, the reason given, what it wrote so far', async () => {
    const td = await register('long', { command: ['sh', '-c', 'echo started; sleep 3600; echo finished'] });
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: 'jobs',
        taskDefinition: td,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
      }),
    );
    const arn = run.tasks![0]!.taskArn!;
    await sim.ecs.waitFor(() => sim.ecs.state.tasks.get(arn)?.lastStatus === 'RUNNING');
    await new Promise((r) => setTimeout(r, 50));
    await ecs.send(new StopTaskCommand({ cluster: 'jobs', task: arn, reason: 'Job cancelled' }));
    const task = await stopped(arn);
    expect(task).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'Job cancelled' });
    expect(sim.logs.messages(GROUP, `migrate/app/${taskId(arn)}`)).toEqual(['started']);
  });
});

describe('CloudWatch Logs API', () => {
  let sim: Simulator;
  let logs: CloudWatchLogsClient;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 600 });
    logs = new CloudWatchLogsClient(clientConfig(sim));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/app' }));
    for (let i = 0; i < 5; i++) sim.logs.write('/app', 's/a/1', sim.clock.now() - 60_000 + i, `line ${i}`);
    sim.logs.write('/app', 's/b/2', sim.clock.now() - 30_000, 'other error');
  });
  afterAll(async () => {
    logs.destroy();
    await sim.stop();
  });

  it('raises the SDK exception classes', async () => {
    await expect(
      logs.send(new GetLogEventsCommand({ logGroupName: '/none', logStreamName: 'x' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      logs.send(new GetLogEventsCommand({ logGroupName: '/app', logStreamName: 'x' })),
    ).rejects.toThrow('The specified log stream does not exist.');
    await expect(
      logs.send(
        new FilterLogEventsCommand({
          logGroupName: '/app',
          logStreamNames: ['s/a/1'],
          logStreamNamePrefix: 's/',
        }),
      ),
    ).rejects.toBeInstanceOf(LogsInvalidParameterException);
    await expect(
      logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: '/app',
          logStreamNamePrefix: 's/',
          orderBy: 'LastEventTime',
        }),
      ),
    ).rejects.toBeInstanceOf(LogsInvalidParameterException);
  });

  it('GetLogEvents without a token reads the newest events; tokens page both ways', async () => {
    await sim.ecs.waitFor(
      () =>
        sim.logs.groups.get('/app')!.streams.get('s/a/1')!.events.at(-1)!.ingestionTime <= sim.clock.now(),
    );
    const tail = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/app', logStreamName: 's/a/1', limit: 2 }),
    );
    expect(tail.events!.map((e) => e.message)).toEqual(['line 3', 'line 4']);
    const before = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/app',
        logStreamName: 's/a/1',
        limit: 2,
        nextToken: tail.nextBackwardToken,
      }),
    );
    expect(before.events!.map((e) => e.message)).toEqual(['line 1', 'line 2']);
    const head = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/app',
        logStreamName: 's/a/1',
        startFromHead: true,
        limit: 1,
      }),
    );
    expect(head.events!.map((e) => e.message)).toEqual(['line 0']);
    const end = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/app',
        logStreamName: 's/a/1',
        nextToken: tail.nextForwardToken,
      }),
    );
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(tail.nextForwardToken);
  });

  it('FilterLogEvents searches streams by prefix and terms; DescribeLogStreams orders by last event', async () => {
    const all = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/app', logStreamNamePrefix: 's/', filterPattern: 'error' }),
    );
    expect(all.events!.map((e) => [e.logStreamName, e.message])).toEqual([['s/b/2', 'other error']]);
    const newest = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: '/app',
        orderBy: 'LastEventTime',
        descending: true,
        limit: 1,
      }),
    );
    expect(newest.logStreams!.map((s) => s.logStreamName)).toEqual(['s/b/2']);
    expect(newest.nextToken).toBeDefined();
  });

  it('hides events until they are ingested', async () => {
    sim.logs.ingestionDelayMs = 3_600_000;
    sim.logs.write('/app', 's/c/3', sim.clock.now(), 'not yet');
    const read = await logs.send(new GetLogEventsCommand({ logGroupName: '/app', logStreamName: 's/c/3' }));
    expect(read.events).toEqual([]);
    sim.logs.ingestionDelayMs = 2_000;
  });
});
