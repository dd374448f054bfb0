/**
 * Metric gates under the published-minutes model: ALB metrics are one-minute sums CloudWatch
 * shows one to two minutes after the minute closed. At a time scale of 60 a one-second pause is
 * one simulated minute, shorter than it takes a minute of the canary's traffic to be published:
 * the gate must wait for one (input "metric-wait") instead of judging an empty window, and a
 * window that never got data is reported and decided by "metric-no-data", never approved
 * silently.
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

const sim = useSimulator({ timeScale: 60 });

describe('blue-green metric gates judge complete, published minutes', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'gate');
  }, 60_000);
  afterAll(() => env.destroy());

  it('rolls back a canary whose API answers 5xx to real traffic, although its pause ends before any minute is published', async () => {
    const traffic = startTraffic(`${env.productionUrl}/api/orders`, 40);
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, '5xx', {
        'smoke-tests': 'GET / 200',
        'traffic-steps': 'canary 10%',
        'step-pause': '1s',
        'max-5xx-rate': '1',
        'max-p95-latency': '0',
        alarms: '',
        'metric-wait': '10s',
      }),
    });
    const records = await traffic.stop();
    expect(records.some((r) => r.status === 500 && versionOf(r) === '5xx')).toBe(true);
    expect(result.errors.join('\n')).toMatch(
      /Metric check after 10% on green failed: 5xx rate \d+(\.\d)?% \(\d+ of \d+ requests\) is above 1% \(input "max-5xx-rate"\)/,
    );
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'live-color': 'blue' });
    expect(result.stdout).toMatch(
      /Waiting up to 10s for CloudWatch to show a complete minute of green's traffic/,
    );
    expect(result.summary).toContain('### Metric gates');
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
  }, 90_000);

  it('reports a gated step that got no data, and fails it when "metric-no-data" says so', async () => {
    // No client traffic at all: there is nothing to judge.
    const inputs = releaseInputs(env, 'v2', {
      'traffic-steps': 'canary 10%',
      'step-pause': '1s',
      'bake-time': '1s',
      'max-5xx-rate': '1',
      alarms: '',
      'metric-wait': '2s',
    });
    const strict = await runAgainst(sim(), { inputs: { ...inputs, 'metric-no-data': 'fail' } });
    expect(strict.outputs).toMatchObject({ status: 'rolled-back', 'live-color': 'blue' });
    expect(strict.errors.join('\n')).toMatch(
      /Metric check after 10% on green failed: no complete, published minute of green's traffic in CloudWatch within 2(\.0)?s after the pause after 10% \(input "metric-wait"\) \(input "metric-no-data": fail\)/,
    );

    // The default fails only when traffic was expected; nobody sent any, so it passes, loudly.
    const lenient = await runAgainst(sim(), { inputs });
    expect(lenient.outputs).toMatchObject({ status: 'succeeded', 'live-color': 'green' });
    expect(lenient.warnings.join('\n')).toMatch(
      /Metric gates not judged: no complete, published minute of green's traffic .* blue had none either\. Passing the step \(input "metric-no-data": fail-if-traffic\)/,
    );
    expect(lenient.summary).toMatch(/\| pause after 10% \| 0 \| 0 \| 0 \|.*⚠️ no data/);
  }, 90_000);
});
