/**
 * ECS-native metric gates under the published-minutes model, as in the two-service mode: a
 * canary whose step got no complete, published minute of the new group's traffic is reported
 * and decided by "metric-no-data", never approved silently.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { buildNative, type NativeEnv, nativeInputs, productionWeights } from './native-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 60 });
let n = 0;

describe('ECS-native metric gates judge complete, published minutes', () => {
  let env: NativeEnv | undefined;
  afterEach(() => env?.destroy());

  it('reports a canary step that got no data, and fails it when "metric-no-data" says so', async () => {
    env = await buildNative(sim(), `ngate${++n}`);
    // No client traffic at all: there is nothing to judge.
    const inputs = nativeInputs(env, 'v2', {
      'max-5xx-rate': '1',
      alarms: '',
      'metric-wait': '2s',
    });
    const strict = await runAgainst(sim(), { inputs: { ...inputs, 'metric-no-data': 'fail' } });
    expect(strict.outputs).toMatchObject({ status: 'rolled-back', 'rolled-back': 'true' });
    expect(strict.errors.join('\n')).toMatch(
      /Metric check after 10% on the new revision failed: no complete, published minute of green's traffic in CloudWatch within 2(\.0)?s after the pause after 10% \(input "metric-wait"\) \(input "metric-no-data": fail\)/,
    );
    expect(strict.summary).toContain('### Metric gates');
    expect(productionWeights(sim(), env)).toEqual({ a: 100, b: 0 });

    // The default fails only when traffic was expected; nobody sent any, so it passes, loudly.
    const lenient = await runAgainst(sim(), { inputs });
    expect(lenient.outputs).toMatchObject({ status: 'succeeded' });
    expect(lenient.warnings.join('\n')).toMatch(
      /Metric gates not judged: no complete, published minute of green's traffic .* blue had none either\. Passing the step \(input "metric-no-data": fail-if-traffic\)/,
    );
    expect(lenient.summary).toMatch(/pause after 10%.*no data/);
  }, 120_000);
});
