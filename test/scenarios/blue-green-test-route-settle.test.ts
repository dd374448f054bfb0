/**
 * A release whose idle side is not the one the test listener points at: the action moves the
 * test listener, and an ALB routes by the old rule for a few seconds after that ("Rule updates do
 * not take effect immediately", ALB user guide). Smoke tests sent at once would reach the live
 * side and pass a broken build; the action waits for the change to settle first.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  productionWeights,
  releaseInputs,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 60 });

describe('smoke tests after the test listener moved', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'orders');
  });
  afterAll(() => env.destroy());

  it('test the new side, not the live one, once the listener change has settled', async () => {
    // v2 goes to green, where the test listener already points: green is live afterwards.
    const good = await runAgainst(sim(), { inputs: releaseInputs(env, 'v2'), post: true });
    expect(good.outputs.status).toBe('succeeded');
    expect(await productionWeights(env)).toEqual({ blue: 0, green: 100 });

    // The next release goes to blue: the test listener moves from green (v2, healthy) to blue.
    const broken = await runAgainst(sim(), {
      inputs: releaseInputs(env, '5xx', { 'smoke-tests': 'GET /api/orders 200', 'route-settle': '1s' }),
      post: true,
    });
    expect(broken.errors.join('\n')).toMatch(/Smoke test failed: GET \/api\/orders expected 200, got 500/);
    expect(broken.exitCode).toBe(1);
    expect(broken.outputs).toMatchObject({ status: 'rolled-back', 'traffic-shifted': 'false' });
    expect(broken.stdout).toMatch(/waiting 1\.0s for the load balancer to route by it/);
    expect(await productionWeights(env)).toEqual({ blue: 0, green: 100 });
    expect(await desiredCounts(env)).toEqual({ blue: 0, green: 2 });
  });
});
