/**
 * Rolling deploys of one service through the bundled action against the simulator: a healthy
 * deploy, a crash loop the action rolls back itself, a crash loop ECS's circuit breaker rolls
 * back, promotion of an existing revision, and a dry run.
 */
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readHistory } from '../../src/history/history.js';
import { clientConfig, ecsClient } from '../sim/ecs/testing.js';
import { FAST, liveService } from './rolling-support.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 300 });

describe('rolling deploy of one service', () => {
  let ecs: ECSClient;
  beforeAll(() => {
    ecs = ecsClient(sim());
  });
  afterAll(() => ecs.destroy());

  it('succeeds on a healthy image; old tasks stop only after the new ones are healthy', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'prod', service: 'web' });
    const old = sim().ecs.tasks('prod', 'web');

    const result = await runAgainst(sim(), {
      inputs: { cluster: 'prod', service: 'web', images: `${live.repo}:v2`, ...FAST },
    });

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const id = result.outputs['deployment-id']!;
    expect(id).toMatch(/^ecs-svc\/\d{19}$/);
    expect(result.outputs).toMatchObject({
      status: 'succeeded',
      'rolled-back': 'false',
      'previous-task-definition-arn': live.v1,
      'task-definition-arn': expect.stringMatching(/task-definition\/web:2$/),
    });

    // ECS's side: the new revision serves, and no old task stopped before every new one was healthy.
    const fresh = sim()
      .ecs.tasks('prod', 'web')
      .filter((t) => t.startedBy === id);
    expect(fresh).toHaveLength(2);
    const lastHealthy = Math.max(...fresh.map((t) => t.healthyAt!));
    for (const t of old) {
      expect(t.lastStatus).toBe('STOPPED');
      expect(t.stoppingAt!.getTime()).toBeGreaterThanOrEqual(lastHealthy);
    }
    expect(sim().ecs.deployments('prod', 'web')).toHaveLength(1);

    // Progress lines only when something changed: no two identical lines in a row.
    const progress = result.stdout.split('\n').filter((l) => /^web: \d+\/\d+ running/.test(l));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((l, i) => i === 0 || l !== progress[i - 1])).toBe(true);
    expect(progress.at(-1)).toBe('web: 2/2 running, 0 pending, 0 failed');

    // The deployment history on the service names the new revision, for a later rollback.
    const history = await readHistory(ecs, sim().ecs.getService('prod', 'web')!.arn);
    expect(history[0]).toMatchObject({ taskDefinition: 'web:2', kind: 'deploy' });

    // Summary: outcome, digests, phases.
    const digest = sim().ecr.resolve('web', { imageTag: 'v2' });
    expect(result.summary).toContain('Deployed **web:2** to **web**');
    expect(result.summary).toContain((digest as { digest: string }).digest);
    expect(result.summary).toMatch(/\| Watch deployments \| \+[\d.]+m?s \|/);
    expect(JSON.parse(result.outputs.results!)).toEqual([
      expect.objectContaining({ service: 'web', status: 'succeeded', 'deployment-id': id }),
    ]);
  });

  it('fails a crash loop with the exit code and reason, and rolls back to the previous revision', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'prod', service: 'api' });

    const result = await runAgainst(sim(), {
      // No circuit breaker: the action itself must notice the crash loop and undo it.
      inputs: {
        cluster: 'prod',
        service: 'api',
        images: `${live.repo}:crash`,
        'circuit-breaker': false,
        ...FAST,
      },
    });

    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toHaveLength(1);
    const error = result.errors[0]!;
    expect(error).toMatch(/api: \d+ tasks of deployment ecs-svc\/\d+ failed in a row \(threshold 3\)/);
    expect(error).toMatch(
      /Essential container in task exited \(EssentialContainerExited\); container web, exit code 1/,
    );
    expect(error).toMatch(/Rollback: the action rolled back to api:1 \(completed\)/);
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'rolled-back': 'true' });

    // The previous version serves again.
    const [primary, ...others] = sim().ecs.deployments('prod', 'api');
    expect(others).toEqual([]);
    expect(primary).toMatchObject({ taskDefinitionArn: live.v1, rolloutState: 'COMPLETED' });
    const serving = sim().ecs.healthyTasks('prod', 'api');
    expect(serving).toHaveLength(2);
    expect(serving.every((t) => t.taskDefinitionArn === live.v1)).toBe(true);

    expect(result.summary).toContain('### Why it failed');
    expect(result.summary).toContain('EssentialContainerExited');
    // Once the deploy failed, no progress line reads as success: each says whose tasks run.
    const lines = result.stdout.split('\n');
    const after = lines.slice(lines.findIndex((l) => /rolling back to api:1/.test(l)));
    const progress = after.filter((l) => /^api: .*\d+\/\d+ running/.test(l));
    expect(progress.length).toBeGreaterThan(0);
    for (const l of progress) expect(l).toContain("the previous revision's (api:1)");
    // History: the rollback is recorded, so the crashing revision is known bad.
    const history = await readHistory(ecs, sim().ecs.getService('prod', 'api')!.arn);
    expect(history[0]).toMatchObject({ taskDefinition: 'api:1', kind: 'rollback', replaced: 'api:2' });
  });

  it('is red when the ECS circuit breaker rolled back, and says so', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'prod', service: 'cart' });

    const result = await runAgainst(sim(), {
      inputs: { cluster: 'prod', service: 'cart', images: `${live.repo}:crash`, ...FAST },
    });

    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/cart: ECS rolled back to cart:1 \(deployment ecs-svc\/\d+\)/);
    expect(result.errors[0]).toMatch(/exit code 1/);
    expect(result.errors[0]).toMatch(/Rollback: ECS rolled back to cart:1 \(completed\)/);
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'rolled-back': 'true' });
    // The action did not roll back a second time: its only UpdateService is the deploy itself.
    expect(
      sim().log.calls.filter((c) => c.operation === 'UpdateService' && c.params.service === 'cart'),
    ).toHaveLength(1);
    expect(
      sim()
        .ecs.healthyTasks('prod', 'cart')
        .every((t) => t.taskDefinitionArn === live.v1),
    ).toBe(true);
  });

  it('names failing container health checks as the reason', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'prod', service: 'sick', healthCheck: true });
    const result = await runAgainst(sim(), {
      inputs: { cluster: 'prod', service: 'sick', images: `${live.repo}:unhealthy`, ...FAST },
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/sick: ECS rolled back to sick:1/);
    expect(result.errors[0]).toMatch(/Task failed container health checks \(ServiceSchedulerInitiated\)/);
    expect(result.errors[0]).toMatch(/health check UNHEALTHY/);
    expect(result.errors[0]).toMatch(/\(task [0-9a-f]{32}\) failed container health checks/);
    expect(result.outputs.status).toBe('rolled-back');
  });

  it('is red when an ECS deployment alarm fired and ECS rolled back', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'prod', service: 'pay' });
    const cw = new CloudWatchClient(clientConfig(sim()));
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'pay-5xx',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    // Hold the state set here: without metric data the alarm would leave ALARM on its own.
    sim().cloudwatch.pauseEvaluation();
    try {
      await cw.send(
        new SetAlarmStateCommand({ AlarmName: 'pay-5xx', StateValue: 'ALARM', StateReason: 'test' }),
      );
      const result = await runAgainst(sim(), {
        inputs: {
          cluster: 'prod',
          service: 'pay',
          images: `${live.repo}:v2`,
          'deployment-alarms': 'pay-5xx',
          ...FAST,
        },
      });
      expect(result.exitCode).not.toBe(0);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(
        /pay: ECS rolled back to pay:1 .*alarm detected\. Alarms in ALARM state: pay-5xx/,
      );
      expect(result.outputs).toMatchObject({ status: 'rolled-back', 'rolled-back': 'true' });
      const update = sim().log.calls.find(
        (c) => c.operation === 'UpdateService' && c.params.service === 'pay',
      );
      expect(update!.params.deploymentConfiguration).toMatchObject({
        alarms: { alarmNames: ['pay-5xx'], enable: true, rollback: true },
      });
    } finally {
      sim().cloudwatch.resumeEvaluation();
      cw.destroy();
    }
  });

  it('fails at the timeout it was given, and leaves the service alone without rollback-on-failure', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'prod', service: 'stuck' });
    // New tasks stay PENDING (30 simulated minutes of image pull): the deploy cannot finish in 2 s.
    sim().ecs.timings.pendingMs = 30 * 60_000;
    try {
      const result = await runAgainst(sim(), {
        inputs: {
          cluster: 'prod',
          service: 'stuck',
          images: `${live.repo}:v2`,
          'rollback-on-failure': false,
          ...FAST,
          timeout: '2s',
        },
      });
      expect(result.exitCode).not.toBe(0);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(
        /stuck: timed out after 2\.0s \(input "timeout"\) with 0\/2 running, 2 pending, 0 failed\.\n {2}Not rolled back\./,
      );
      expect(result.outputs).toMatchObject({ status: 'failed', 'rolled-back': 'false' });
      expect(result.durationMs).toBeLessThan(10_000);
      const updates = sim().log.calls.filter(
        (c) => c.operation === 'UpdateService' && c.params.service === 'stuck',
      );
      expect(updates).toHaveLength(1);
    } finally {
      sim().ecs.timings.pendingMs = 10_000;
    }
  });

  it('promotes an existing revision without registering', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'prod', service: 'shop' });
    const first = await runAgainst(sim(), {
      inputs: { cluster: 'prod', service: 'shop', images: `${live.repo}:v2`, ...FAST },
    });
    expect(first.exitCode).toBe(0);
    await runAgainst(sim(), {
      inputs: { cluster: 'prod', service: 'shop', images: `${live.repo}:v3`, ...FAST },
    });

    sim().log.clear();
    const result = await runAgainst(sim(), {
      inputs: { cluster: 'prod', service: 'shop', 'task-definition': 'shop:2', ...FAST },
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({ status: 'succeeded', registered: 'false' });
    expect(result.outputs['task-definition-arn']).toMatch(/shop:2$/);
    expect(result.outputs['previous-task-definition-arn']).toMatch(/shop:3$/);
    expect(sim().log.count('RegisterTaskDefinition')).toBe(0);
    expect(sim().ecs.getService('prod', 'shop')!.taskDefinitionArn).toMatch(/shop:2$/);
  });

  it('puts the service back from the post step when the job is cancelled mid-deploy', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'prod', service: 'cancel' });
    // Slow image pulls keep the deployment in progress until the post step reads it.
    sim().ecs.timings.pendingMs = 30 * 60_000;
    try {
      const result = await runAgainst(sim(), {
        inputs: { cluster: 'prod', service: 'cancel', images: `${live.repo}:v2`, ...FAST },
        cancelWhen: (stdout) => /cancel: deployment ecs-svc\/\d+ started/.test(stdout),
        post: true,
      });
      expect(result.cancelledAtMs).toBeDefined();
      expect(result.post!.stdout).toMatch(/cancel set back to 2 tasks of cancel:1/);
    } finally {
      sim().ecs.timings.pendingMs = 10_000;
    }
    await sim().ecs.waitFor(
      () =>
        sim().ecs.isSteady('prod', 'cancel') &&
        sim().ecs.deployments('prod', 'cancel')[0]!.taskDefinitionArn === live.v1,
      { what: 'cancel back on v1' },
    );
  });

  it('changes nothing in a dry run', async () => {
    const live = await liveService(sim(), ecs, { cluster: 'prod', service: 'docs' });
    sim().log.clear();
    const result = await runAgainst(sim(), {
      inputs: { cluster: 'prod', service: 'docs', images: `${live.repo}:v2`, 'dry-run': true, ...FAST },
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({ status: 'dry-run', 'deployment-id': '' });
    expect(result.summary).toContain('nothing was changed');
    expect(sim().log.mutations()).toEqual([]);
  });
});
