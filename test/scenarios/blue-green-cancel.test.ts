/**
 * Cancellation as the runner does it (SIGINT, SIGTERM 7.5 s later, kill 2.5 s after), at each
 * stage of a blue-green release, with client traffic through the production listener all
 * along: afterwards production is served only by the healthy old side, the idle side is back
 * at 0 tasks, the post step says what it did, and no client request failed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunOptions } from '../harness/run-action.js';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  failedRequests,
  productionTraffic,
  productionWeights,
  releaseInputs,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('cancelling a blue-green release', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'pay');
  });
  afterAll(() => env.destroy());

  async function cancelAt(marker: string, extra: RunOptions['inputs']) {
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2', extra),
      cancelWhen: (out) => out.includes(marker),
      post: true,
    });
    const records = await traffic.stop();
    return { result, records };
  }

  async function expectOldSideServing(result: Awaited<ReturnType<typeof cancelAt>>) {
    const { result: r, records } = result;
    expect(r.cancelledAtMs).toBeDefined();
    // Done within the first seconds of SIGINT: never needs the SIGTERM or the kill.
    expect(r.signal).toBeNull();
    expect(r.durationMs - r.cancelledAtMs!).toBeLessThan(7_500);
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ status: 'cancelled', 'live-color': 'blue' });
    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    expect(await desiredCounts(env)).toEqual({ blue: 2, green: 0 });
    expect(r.post?.exitCode).toBe(0);
    expect(r.post?.stdout).toMatch(/Post step: /);
  }

  it('while waiting for the idle side to become healthy', async () => {
    const run = await cancelAt('deploying', {});
    await expectOldSideServing(run);
    expect(run.result.stdout).toMatch(/pay-green set back to 0 tasks/);
    expect(run.result.stdout).not.toContain('Production:');
  });

  it('during the smoke tests (test listener put back)', async () => {
    const run = await cancelAt('Test listener now forwards to green', {
      'smoke-tests': 'GET /slow-to-pass 201 retries:5 retry-delay:1s',
    });
    await expectOldSideServing(run);
    expect(run.result.stdout).toMatch(/Test traffic restored: pay-green=1/);
  });

  it('mid-canary: production weights back on blue at once', async () => {
    const run = await cancelAt('Production: 10% on green', {
      'traffic-steps': 'canary 10%',
      'step-pause': '20s',
    });
    await expectOldSideServing(run);
    expect(run.result.stdout).toMatch(/Production traffic restored: pay-blue=100, pay-green=0/);
  });

  it('during the bake', async () => {
    const run = await cancelAt('Production: 100% on green', { 'bake-time': '20s' });
    await expectOldSideServing(run);
    expect(run.result.stdout).toMatch(/Production traffic restored: pay-blue=100, pay-green=0/);
  });

  it('killed before its undo finished: traffic restored first, the post step does the rest', async () => {
    const traffic = productionTraffic(env);
    let armedAt = 0;
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2', { 'bake-time': '20s' }),
      cancelWhen: (out) => {
        if (!out.includes('Production: 100% on green')) return false;
        // Scaling the idle side down hangs past the runner's kill (SIGINT + 10 s).
        if (!armedAt) {
          sim().faults.add({ operation: 'UpdateService', kind: 'latency', latencyMs: 12_000, count: 1 });
          armedAt = Date.now();
        }
        return true;
      },
      post: true,
    });
    const records = await traffic.stop();
    sim().faults.clear();

    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout).toMatch(/Production traffic restored: pay-blue=100, pay-green=0/);
    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    expect(result.post?.exitCode).toBe(0);
    expect(result.post?.stdout).toContain('Post step: pay-green set back to 0 tasks of pay:');
    expect(result.post?.stdout).toContain('Post step: Release lock released.');
    expect(result.post?.stdout).not.toContain('Production traffic restored');
    expect(result.postSummary).toContain('### Post step');
    expect(await desiredCounts(env)).toEqual({ blue: 2, green: 0 });
    // The hung call still lands (as a late request would on AWS): let it, before the next test.
    await new Promise((r) => setTimeout(r, Math.max(0, armedAt + 12_500 - Date.now())));
    expect(await desiredCounts(env)).toEqual({ blue: 2, green: 0 });
  }, 30_000);

  it('after the bake, in the scale-down delay: the release stands, the old side is left for a human', async () => {
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2', { 'scale-down-delay': '30s' }),
      cancelWhen: (out) => out.includes('Release baked: green is live.'),
      post: true,
    });
    const records = await traffic.stop();

    expect(result.signal).toBeNull();
    expect(result.outputs).toMatchObject({
      status: 'succeeded',
      'live-color': 'green',
      'traffic-shifted': 'true',
    });
    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 0, green: 100 });
    expect(await desiredCounts(env)).toEqual({ blue: 2, green: 2 });
    expect(result.post?.warnings).toEqual([
      'pay-blue (blue) was not scaled down: the job was cancelled. Scale it to 0 once its weight is 0.',
    ]);
  });
});
