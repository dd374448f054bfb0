/**
 * Releases that must not reach users, through the bundled action with client traffic through
 * the production listener all along and no failed client request:
 * - a smoke test fails: production never serves the new version, the idle side goes back to 0;
 * - the smoke command fails, or the canary is slower than the p95 gate: rolled back;
 * - an alarm fires in the bake: production is back on the old side within one poll interval;
 * - an alarm already fires before the release: refused, not a single mutating call.
 */
import { ModifyTargetGroupAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  failedRequests,
  productionTraffic,
  productionWeights,
  releaseInputs,
  setAlarm,
  versionsServed,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('blue-green releases that fail', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'cart');
  });
  afterAll(() => env.destroy());

  it('stops at a failed smoke test: production never serves the new version', async () => {
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, '5xx', {
        'smoke-tests': 'GET / 200\nGET /api/orders 200 retries:1 retry-delay:100ms',
      }),
      post: true,
    });
    const records = await traffic.stop();

    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(/Smoke test failed: GET \/api\/orders expected 200, got 500/);
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'live-color': 'blue',
      'rolled-back': 'true',
      'traffic-shifted': 'false',
    });
    expect(JSON.parse(result.outputs['smoke-results']!)).toEqual([
      expect.objectContaining({ request: 'GET /', ok: true }),
      expect.objectContaining({ request: 'GET /api/orders', ok: false, attempts: 2 }),
    ]);
    expect(failedRequests(records)).toEqual([]);
    expect(versionsServed(records)).toEqual(['v1']);
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    expect(await desiredCounts(env)).toEqual({ blue: 2, green: 0 });
    expect(result.summary).toContain('| GET /api/orders | 200 | 500');
    expect(result.post?.stdout).toContain('Nothing left to undo');
  });

  it('stops when the smoke command fails, with its output as the reason', async () => {
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2', {
        'smoke-command': 'echo "e2e against $TEST_URL"; echo "checkout flow: 1 failed" >&2; exit 3',
      }),
    });
    const records = await traffic.stop();

    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain(
      `Smoke test failed: $ echo "e2e against $TEST_URL"; echo "checkout flow: 1 failed" >&2; exit 3 expected exit 0, got exit 3: e2e against ${env.testUrl} / checkout flow: 1 failed`,
    );
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'live-color': 'blue' });
    expect(failedRequests(records)).toEqual([]);
    expect(versionsServed(records)).toEqual(['v1']);
    expect(await desiredCounts(env)).toEqual({ blue: 2, green: 0 });
  });

  it('rolls the canary back when the new side is slower than the p95 gate', async () => {
    // A build that answers every request about 60 ms late: healthy, but over a 30 ms p95 limit.
    sim().ecr.putImage('cart', 'v2-sluggish');
    sim().ecs.images.define('v2-sluggish', { latencyMs: 60 });
    // Connection draining long enough for its slow in-flight requests when it is scaled down
    // (2 simulated minutes: 200 ms here), as on AWS where the default is 5 minutes.
    await env.clients.elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: env.greenTargetGroupArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '120' }],
      }),
    );
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2-sluggish', {
        'traffic-steps': 'canary 50%',
        'step-pause': '1500ms',
        'max-p95-latency': '30ms',
      }),
    });
    const records = await traffic.stop();

    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(
      /Metric check after 50% on green failed: p95 response time \d+ms is above 30ms \(input "max-p95-latency"\)/,
    );
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'live-color': 'blue',
      'rolled-back': 'true',
    });
    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    expect(await desiredCounts(env)).toEqual({ blue: 2, green: 0 });
  });

  it('judges the metrics of an all-at-once release over its bake', async () => {
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2-sluggish', { 'bake-time': '1500ms', 'max-p95-latency': '30ms' }),
    });
    const records = await traffic.stop();

    expect(result.errors.join('\n')).toMatch(
      /Metric check over the bake on green failed: p95 response time \d+ms is above 30ms/,
    );
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'live-color': 'blue' });
    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
  });

  it('switches back when an alarm fires in the bake, within one poll interval', async () => {
    const traffic = productionTraffic(env);
    let alarmSetAt = 0;
    let restoredAt = 0;
    const watcher = (async () => {
      // Fire the alarm once all traffic is on green, then time how long until blue has it back.
      while (!alarmSetAt) await new Promise((r) => setTimeout(r, 10));
      for (;;) {
        if ((await productionWeights(env)).blue === 100) {
          restoredAt = Date.now();
          return;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    let fired = false;
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2', { 'bake-time': '20s' }),
      cancelWhen: (out) => {
        if (!fired && out.includes('Production: 100% on green')) {
          fired = true;
          // Hold the state: the simulator would otherwise evaluate the alarm back to OK.
          sim().cloudwatch.pauseEvaluation();
          setTimeout(() => {
            void setAlarm(
              env,
              'ALARM',
              'Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (5.0).',
            ).then(() => {
              alarmSetAt = Date.now();
            });
          }, 300);
        }
        return false;
      },
      post: true,
    });
    await watcher;
    const records = await traffic.stop();
    await setAlarm(env, 'OK', 'test over');
    sim().cloudwatch.resumeEvaluation();

    const alarmToRestoredMs = restoredAt - alarmSetAt;
    console.log(`alarm to production traffic restored: ${alarmToRestoredMs} ms (poll interval 100 ms)`);
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain(
      `Alarm in ALARM during the bake: ${env.alarmName} (Threshold Crossed`,
    );
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'live-color': 'blue',
      'rolled-back': 'true',
    });
    expect(alarmToRestoredMs).toBeLessThan(1_000);
    expect(failedRequests(records)).toEqual([]);
    expect(versionsServed(records)).toEqual(['v1', 'v2']);
    expect(records.at(-1)!.body).toContain('v1');
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    expect(await desiredCounts(env)).toEqual({ blue: 2, green: 0 });
    expect(result.summary).toMatch(/Production traffic was restored \d+ ms after the alarm was seen/);
  });

  it('refuses to start while a watched alarm fires, and changes nothing', async () => {
    sim().cloudwatch.pauseEvaluation();
    await setAlarm(env, 'ALARM', 'Threshold Crossed: already bad');
    sim().log.clear();
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), { inputs: releaseInputs(env, 'v2'), post: true });
    const records = await traffic.stop();
    const mutations = sim().log.mutations();
    sim().cloudwatch.resumeEvaluation();
    await setAlarm(env, 'OK', 'test over');

    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain(
      `Alarm already in ALARM: ${env.alarmName} (Threshold Crossed: already bad)`,
    );
    expect(result.errors[0]).toContain('nothing was changed');
    expect(result.outputs).toMatchObject({ status: 'refused', 'live-color': 'blue', 'rolled-back': 'false' });
    expect(mutations).toEqual([]);
    expect(failedRequests(records)).toEqual([]);
  });
});
