/**
 * The 5xx-rate gate of a traffic step, end to end: a canary whose API answers 500 passes the
 * smoke test of `/` but fails the gate on real traffic, and production goes back to the old side.
 * (Client requests to the canary fail here by construction: the point is that the gate, not a
 * human, ends them.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTraffic } from '../sim/elb/testing.js';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  productionWeights,
  releaseInputs,
  versionOf,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('blue-green 5xx-rate gate', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'pay');
  });
  afterAll(() => env.destroy());

  it('rolls a canary back when its share of 5xx answers passes max-5xx-rate', async () => {
    const traffic = startTraffic(`${env.productionUrl}/api/orders`, 40);
    traffic.phase = 'release';
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, '5xx', {
        'smoke-tests': 'GET / 200',
        'traffic-steps': 'canary 10%',
        'step-pause': '2s',
        'max-5xx-rate': '1',
        'max-p95-latency': '0',
        // No alarm: the gate alone must catch it.
        alarms: '',
      }),
    });
    traffic.phase = 'after';
    await new Promise((r) => setTimeout(r, 500));
    const records = await traffic.stop();

    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(
      /5xx rate \d+(\.\d)?% \(\d+ of \d+ requests\) is above 1% \(input "max-5xx-rate"\)/,
    );
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'rolled-back': 'true',
      'live-color': 'blue',
    });
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    // The canary did get its share and failed it; after the rollback every request is v1 and fine.
    const during = records.filter((r) => r.phase === 'release');
    expect(during.some((r) => r.status === 500 && versionOf(r) === '5xx')).toBe(true);
    const after = records.filter((r) => r.phase === 'after' && r.endPhase === 'after');
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.status === 200 && versionOf(r) === 'v1')).toBe(true);
  });
});
