/**
 * A rolling deploy whose deployment another one replaced, and a rolling watch through an outage
 * of the ECS API. Superseded is not failed: the older run never rolls back over the newer
 * deployment, and reports who replaced it. An outage of `DescribeServices` answers is waited
 * out until the deploy's own timeout: ECS decides the outcome, and the post step reads what is
 * live before undoing anything. Client traffic sees no failure in either.
 */
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunResult } from '../harness/run-action.js';
import { ecsClient } from '../sim/ecs/testing.js';
import { request, type TrafficRecord } from '../sim/elb/testing.js';
import type { Simulator } from '../sim/index.js';
import { type BlueGreenEnv, buildBlueGreen, failedRequests, productionTraffic } from './blue-green-env.js';
import { FAST, type LiveService, liveService } from './rolling-support.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });
const keyOf = (id: string) => `AKIARUN${id.padStart(13, '0')}`;

/** Clients that find the service's tasks themselves (service discovery): each request goes to a healthy task. */
function directTraffic(s: Simulator, cluster: string, service: string) {
  const records: TrafficRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  let i = 0;
  const timer = setInterval(() => {
    const tasks = s.ecs.healthyTasks(cluster, service);
    const task = tasks[i++ % Math.max(1, tasks.length)];
    if (!task) {
      records.push({
        status: 0,
        body: '',
        error: 'no healthy task',
        phase: '',
        endPhase: '',
      } as TrafficRecord);
      return;
    }
    const p = request(`http://127.0.0.1:${task.port}/`).then((r) => {
      records.push({ ...r, phase: '', endPhase: '' });
      inFlight.delete(p);
    });
    inFlight.add(p);
  }, 25);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return records;
    },
  };
}

describe('superseded rolling deploys', () => {
  let live: LiveService;
  beforeAll(async () => {
    const ecs = ecsClient(sim());
    live = await liveService(sim(), ecs, { cluster: 'prod', service: 'cart' });
    ecs.destroy();
  });

  it('two deploys started together end with the newer live; the older reports superseded and rolls nothing back', async () => {
    const traffic = directTraffic(sim(), 'prod', 'cart');
    sim().log.clear();
    const deploy = (id: string, tag: string, onOutput?: (stdout: string) => void) =>
      runAgainst(sim(), {
        inputs: { cluster: 'prod', service: 'cart', images: `${live.repo}:${tag}`, ...FAST },
        env: { GITHUB_RUN_ID: id, AWS_ACCESS_KEY_ID: keyOf(id) },
        post: true,
        cancelWhen: onOutput
          ? (stdout) => {
              onOutput(stdout);
              return false;
            }
          : undefined,
      });
    let newer: Promise<RunResult> | undefined;
    // The first run's image is slow to pull (30 simulated minutes), so its deployment is still
    // under way when the second one starts; the second pulls at the usual speed.
    const usual = sim().ecs.timings.pendingMs;
    sim().ecs.timings.pendingMs = 30 * 60_000;
    const older = await deploy('1001', 'v2', (stdout) => {
      if (!newer && /deployment ecs-svc\/\d+ started/.test(stdout)) {
        newer = deploy('2002', 'v3', (out) => {
          if (/deployment ecs-svc\/\d+ started/.test(out)) sim().ecs.timings.pendingMs = usual;
        });
      }
    });
    const newerResult = await newer!;
    const records = await traffic.stop();

    expect(newerResult.outputs.status).toBe('succeeded');
    const newerDeployment = newerResult.outputs['deployment-id']!;
    expect(older.outputs.status).toBe('superseded');
    expect(older.exitCode).toBe(1);
    expect(older.errors[0]).toContain(newerDeployment);
    expect(older.errors[0]).toContain(newerResult.outputs['task-definition-arn']!.split('/').pop()!);
    expect(older.outputs['superseded-by']).toBe(newerDeployment);
    expect(older.summary).toMatch(/superseded/i);
    // No rollback by either run: each sent exactly one UpdateService, its own deploy.
    const updates = (id: string) =>
      sim()
        .log.mutations()
        .filter((c) => c.operation === 'UpdateService' && c.accessKeyId === keyOf(id));
    expect(updates('1001')).toHaveLength(1);
    expect(updates('2002')).toHaveLength(1);
    expect(older.post?.stdout).toMatch(/superseded/i);
    expect(sim().ecs.getService('prod', 'cart')!.taskDefinitionArn).toBe(
      newerResult.outputs['task-definition-arn'],
    );
    expect(records.filter((r) => r.status !== 200 || r.error)).toEqual([]);
  }, 120_000);

  it('with allow-superseded, the older run passes and still rolls nothing back', async () => {
    const ecs = ecsClient(sim());
    sim().log.clear();
    let replaced = false;
    const run = await runAgainst(sim(), {
      inputs: {
        cluster: 'prod',
        service: 'cart',
        images: `${live.repo}:v2`,
        'allow-superseded': 'true',
        ...FAST,
      },
      env: { GITHUB_RUN_ID: '3003', AWS_ACCESS_KEY_ID: keyOf('3003') },
      cancelWhen: (stdout) => {
        if (!replaced && /deployment ecs-svc\/\d+ started/.test(stdout)) {
          replaced = true;
          // Someone else's deployment: an operator forcing a new deployment from the console.
          void ecs.send(
            new UpdateServiceCommand({ cluster: 'prod', service: 'cart', forceNewDeployment: true }),
          );
        }
        return false;
      },
    });
    ecs.destroy();
    expect(run.outputs.status).toBe('superseded');
    expect(run.exitCode).toBe(0);
    expect(run.warnings.join('\n')).toMatch(/superseded/i);
    expect(
      sim()
        .log.mutations()
        .filter((c) => c.operation === 'UpdateService' && c.accessKeyId === keyOf('3003')),
    ).toHaveLength(1);
  }, 120_000);
});

describe('a rolling watch through an API outage', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'pay', { withoutGreen: true });
  });
  afterAll(() => env.destroy());

  it('30 s of 5xx on DescribeServices mid-watch ends in succeeded, and the post step leaves the service alone', async () => {
    const traffic = productionTraffic(env);
    let outageFrom = 0;
    const run = await runAgainst(sim(), {
      inputs: {
        cluster: env.cluster,
        service: 'pay-blue',
        images: `${env.repositoryUri}:v2`,
        'poll-interval': '100ms',
        timeout: '90s',
      },
      post: true,
      killAfterMs: 150_000,
      cancelWhen: (stdout) => {
        if (!outageFrom && /deployment ecs-svc\/\d+ started/.test(stdout)) {
          outageFrom = Date.now();
          sim().faults.add({
            operation: 'DescribeServices',
            kind: 'error5xx',
            from: outageFrom,
            until: outageFrom + 30_000,
          });
        }
        return false;
      },
    });
    const records = await traffic.stop();
    sim().faults.clear();

    expect(outageFrom).toBeGreaterThan(0);
    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe('succeeded');
    expect(run.exitCode).toBe(0);
    expect(run.durationMs).toBeGreaterThanOrEqual(30_000 - 2_000);
    expect(run.warnings.join('\n')).toMatch(/InternalFailure|retry|retrying/i);
    // The post step read what is live and left it: no change after the main step ended.
    expect(run.post?.stdout).toMatch(/completed|left alone|nothing left to undo/i);
    const v2 = run.outputs['task-definition-arn'];
    expect(sim().ecs.getService(env.cluster, 'pay-blue')!.taskDefinitionArn).toBe(v2);
    expect(
      sim()
        .log.mutations()
        .filter((c) => c.operation === 'UpdateService' && c.at >= outageFrom),
    ).toHaveLength(0);
    expect(failedRequests(records)).toEqual([]);
  }, 180_000);
});
