import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { clientConfig, createSteadyService, ecsClient, registerWeb } from '../ecs/testing.js';
import { Simulator } from '../index.js';

describe('ECS deployment circuit breaker', () => {
  let sim: Simulator;
  let ecs: ECSClient;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 600 });
    ecs = ecsClient(sim);
  });
  afterAll(async () => {
    const schedulerError = sim.ecs.scheduler.lastError;
    ecs.destroy();
    await sim.stop();
    expect(schedulerError).toBeUndefined();
  });

  const setUp = async (service: string, rollback: boolean) => {
    const v1 = await registerWeb(ecs, service, `${service}:v1`);
    await createSteadyService(sim, ecs, {
      cluster: 'cb',
      service,
      taskDefinition: v1,
      desiredCount: 2,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback } },
    });
    const firstId = sim.ecs.deployments('cb', service)[0]!.id;
    return { v1, firstId };
  };

  // startedBy must be ListTasks' only filter, and alone it lists running tasks: list the
  // cluster's stopped tasks and pick the deployment's from DescribeTasks.
  const stoppedTasks = async (startedBy: string) => {
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'cb', desiredStatus: 'STOPPED' }));
    if (!taskArns?.length) return [];
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'cb', tasks: taskArns }));
    return (tasks ?? []).filter((t) => t.startedBy === startedBy);
  };

  it('marks the deployment FAILED after 3 consecutive failures (desired 2)', async () => {
    await setUp('nb', false);
    const bad = await registerWeb(ecs, 'nb', 'nb:crash');
    const out = await ecs.send(
      new UpdateServiceCommand({ cluster: 'cb', service: 'nb', taskDefinition: bad }),
    );
    const id = out.service!.deployments![0]!.id!;
    await sim.ecs.waitForRollout('cb', 'nb', 'FAILED');

    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'cb', services: ['nb'] }));
    const [primary, previous] = services![0]!.deployments!;
    expect(primary).toMatchObject({
      id,
      status: 'PRIMARY',
      taskDefinition: bad,
      failedTasks: 3,
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    });
    // Without rollback the old tasks keep serving; the service is not stable.
    expect(previous).toMatchObject({ status: 'ACTIVE', runningCount: 2 });
    expect(services![0]!.events!.map((e) => e.message)).toContain(
      `(service nb) (deployment ${id}) deployment failed: tasks failed to start.`,
    );

    const stopped = await stoppedTasks(id);
    expect(stopped.length).toBeGreaterThanOrEqual(3);
    for (const task of stopped) {
      expect(task.stoppedReason).toBe('Essential container in task exited');
      expect(task.stopCode).toBe('EssentialContainerExited');
      expect(task.containers![0]!.exitCode).toBe(1);
      expect(task.startedBy).toBe(id);
      expect(task.taskArn).toMatch(/task\/cb\/[0-9a-f]{32}$/);
    }
    // No more launches once FAILED.
    const launched = sim.ecs.tasks('cb', 'nb').filter((t) => t.startedBy === id).length;
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.ecs.tasks('cb', 'nb').filter((t) => t.startedBy === id).length).toBe(launched);
  });

  it('rolls back to the last COMPLETED deployment when rollback is on', async () => {
    const { v1, firstId } = await setUp('rb', true);
    const bad = await registerWeb(ecs, 'rb', 'rb:crash137');
    // A slow SIGTERM keeps the failed deployment's last tasks (and so the deployment) listed a while.
    sim.ecs.timings.stoppingMs = 2 * 60_000;
    const out = await ecs.send(
      new UpdateServiceCommand({ cluster: 'cb', service: 'rb', taskDefinition: bad }),
    );
    const id = out.service!.deployments![0]!.id!;

    // While rolling back: the previous deployment is PRIMARY again, the failed one is ACTIVE and FAILED.
    const during = await sim.ecs.waitFor(() => {
      const d = sim.ecs.describeService('cb', 'rb')!.deployments;
      return d[0]?.id === firstId && d.length === 2 ? d : undefined;
    });
    sim.ecs.timings.stoppingMs = 3_000;
    expect(during[0]).toMatchObject({
      status: 'PRIMARY',
      taskDefinition: v1,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${firstId}.`,
    });
    expect(during[1]).toMatchObject({
      id,
      status: 'ACTIVE',
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    });

    await sim.ecs.waitForSteady('cb', 'rb');
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'cb', services: ['rb'] }));
    const service = services![0]!;
    // Stable, but on the old task definition: stable is not success.
    expect(service.taskDefinition).toBe(v1);
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments![0]).toMatchObject({
      id: firstId,
      taskDefinition: v1,
      rolloutState: 'COMPLETED',
      rolloutStateReason: `ECS deployment ${firstId} completed.`,
    });
    const events = service.events!.map((e) => e.message);
    const failedAt = events.indexOf(
      `(service rb) (deployment ${id}) deployment failed: tasks failed to start.`,
    );
    const rollingAt = events.indexOf(`(service rb) rolling back to deployment ${firstId}.`);
    expect(failedAt).toBeGreaterThanOrEqual(0);
    expect(rollingAt).toBeGreaterThanOrEqual(0);
    expect(rollingAt).toBeLessThanOrEqual(failedAt);
    expect(events[0]).toBe('(service rb) has reached a steady state.');

    const stopped = await stoppedTasks(id);
    expect(stopped.length).toBeGreaterThanOrEqual(3);
    expect(stopped.every((t) => t.containers![0]!.exitCode === 137)).toBe(true);

    // The newer API tells the same story: one service deployment, rolled back successfully.
    const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'cb', service: 'rb' }));
    const [latest, first] = list.serviceDeployments!;
    expect(latest).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL' });
    expect(first).toMatchObject({ status: 'SUCCESSFUL' });
    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [latest!.serviceDeploymentArn!] }),
    );
    const sd = described.serviceDeployments![0]!;
    expect(sd.deploymentCircuitBreaker).toMatchObject({ status: 'TRIGGERED', failureCount: 3, threshold: 3 });
    expect(sd.rollback!.serviceRevisionArn).toBe(first!.targetServiceRevisionArn);
    expect(sd.targetServiceRevision!.arn).toBe(latest!.targetServiceRevisionArn);
    for (const t of sim.ecs.healthyTasks('cb', 'rb')) {
      const res = await fetch(`http://127.0.0.1:${t.port}/`);
      expect(((await res.json()) as { version: string }).version).toBe('v1');
    }
  });

  it('stops tasks whose image cannot be pulled with CannotPullContainerError', async () => {
    await setUp('pull', true);
    const pushed = sim.ecr.putImage('pull', 'v1');
    const missing = await registerWeb(ecs, 'pull', `${pushed.repositoryUri}:does-not-exist`);
    const out = await ecs.send(
      new UpdateServiceCommand({ cluster: 'cb', service: 'pull', taskDefinition: missing }),
    );
    const id = out.service!.deployments![0]!.id!;
    await sim.ecs.waitForDeployment('cb', 'pull', id, 'FAILED');
    const stopped = await stoppedTasks(id);
    expect(stopped.length).toBeGreaterThanOrEqual(3);
    const task = stopped[0]!;
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedReason).toMatch(/^CannotPullContainerError: /);
    expect(task.stoppedReason).toContain(`${pushed.repositoryUri}:does-not-exist`);
    expect(task.containers![0]!.reason).toMatch(/^CannotPullContainerError: /);
    expect(task.startedAt).toBeUndefined();
  });

  it('resets the consecutive failure count when a task turns healthy', async () => {
    await setUp('flaky', true);
    // The first two tasks of the new image crash; later ones are healthy.
    const v2 = await registerWeb(ecs, 'flaky', 'flaky:v2');
    sim.ecs.images.define('flaky:v2', (launch) =>
      launch < 2 ? { crashExitCode: 1, crashAfterMs: 5_000 } : {},
    );
    const out = await ecs.send(
      new UpdateServiceCommand({ cluster: 'cb', service: 'flaky', taskDefinition: v2 }),
    );
    const id = out.service!.deployments![0]!.id!;
    await sim.ecs.waitForSteady('cb', 'flaky');
    const d = sim.ecs.deployments('cb', 'flaky')[0]!;
    expect(d).toMatchObject({ id, rolloutState: 'COMPLETED', failedTasks: 0 });
  });

  it('rolls back on StopServiceDeployment', async () => {
    const { v1, firstId } = await setUp('stop', false);
    const slow = await registerWeb(ecs, 'stop', 'stop:v2');
    // New tasks stay PENDING long enough for the deployment to be caught in progress.
    sim.ecs.timings.pendingMs = 30 * 60_000;
    await ecs.send(new UpdateServiceCommand({ cluster: 'cb', service: 'stop', taskDefinition: slow }));
    const list = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: 'cb', service: 'stop', status: ['IN_PROGRESS'] }),
    );
    const arn = list.serviceDeployments![0]!.serviceDeploymentArn!;
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
    sim.ecs.timings.pendingMs = 10_000;
    await sim.ecs.waitForSteady('cb', 'stop');
    const service = sim.ecs.describeService('cb', 'stop')!;
    expect(service.taskDefinition).toBe(v1);
    expect(service.deployments.map((d) => d.id)).toEqual([firstId]);
    const after = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
    expect(after.serviceDeployments![0]!.status).toBe('ROLLBACK_SUCCESSFUL');
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn })),
    ).rejects.toMatchObject({ name: 'ConflictException' });
  });

  it('fails and rolls back a deployment when a deployment alarm goes into ALARM', async () => {
    const cw = new CloudWatchClient(clientConfig(sim));
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-5xx',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    const v1 = await registerWeb(ecs, 'alarmed', 'alarmed:v1');
    await createSteadyService(sim, ecs, {
      cluster: 'cb',
      service: 'alarmed',
      taskDefinition: v1,
      desiredCount: 2,
      deploymentConfiguration: { alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true } },
    });
    const firstId = sim.ecs.deployments('cb', 'alarmed')[0]!.id;
    const v2 = await registerWeb(ecs, 'alarmed', 'alarmed:v2');
    // Keep the new tasks starting long enough for the alarm to catch the deployment in progress.
    sim.ecs.timings.pendingMs = 30 * 60_000;
    const out = await ecs.send(
      new UpdateServiceCommand({ cluster: 'cb', service: 'alarmed', taskDefinition: v2 }),
    );
    const id = out.service!.deployments![0]!.id!;
    // Hold the state we set: no metric data would otherwise send the alarm back to INSUFFICIENT_DATA.
    sim.cloudwatch.pauseEvaluation();
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'test' }),
    );
    const failed = await sim.ecs.waitForDeployment('cb', 'alarmed', id, 'FAILED');
    sim.ecs.timings.pendingMs = 10_000;
    expect(failed.rolloutStateReason).toContain('web-5xx');
    await sim.ecs.waitForSteady('cb', 'alarmed');
    expect(sim.ecs.describeService('cb', 'alarmed')!.taskDefinition).toBe(v1);
    expect(sim.ecs.events('cb', 'alarmed')).toContain(
      `(service alarmed) rolling back to deployment ${firstId}.`,
    );
    const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'cb', service: 'alarmed' }));
    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({
        serviceDeploymentArns: [list.serviceDeployments![0]!.serviceDeploymentArn!],
      }),
    );
    expect(described.serviceDeployments![0]).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] },
    });
    sim.cloudwatch.resumeEvaluation();
    cw.destroy();
  });
});
