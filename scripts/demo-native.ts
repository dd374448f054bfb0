/**
 * The ECS-native half of `npm run demo`: one service `shop` (rolling, v1) with a second target
 * group and forward-only production and test listener rules; a canary release of v2 that ECS
 * runs (the first release also switches the service to ECS blue/green), then a release whose
 * smoke test fails at the test-traffic stage and is rolled back before production moved, with
 * client traffic through the production listener all along.
 */
import { runAction } from '../test/harness/run-action.js';
import { buildNative, nativeInputs } from '../test/scenarios/native-env.js';
import { startTraffic, tally } from '../test/sim/elb/testing.js';
import type { Simulator } from '../test/sim/index.js';
import type { Show } from './demo-show.js';

export async function demoNative(sim: Simulator, show: Show): Promise<void> {
  const env = await buildNative(sim, 'shop');
  try {
    const traffic = startTraffic(env.productionUrl, 20);
    const timing = { 'poll-interval': '250ms', timeout: '5m', 'step-pause': '3s', 'bake-time': '1m' };
    const canary = await runAction({
      inputs: nativeInputs(env, 'v2', {
        ...timing,
        'smoke-tests': 'GET / 200 json:version=v2 max-latency:500ms',
      }),
      env: sim.env(),
      post: true,
    });
    show('ECS-native canary release of v2 (ECS shifts 10%, then the rest)', canary, 'succeeded');

    const broken = await runAction({
      inputs: nativeInputs(env, '5xx', {
        ...timing,
        'smoke-tests': 'GET / 200\nGET /api/orders 200 retries:1 retry-delay:250ms',
      }),
      env: sim.env(),
      post: true,
    });
    show(
      'ECS-native release whose smoke test fails at POST_TEST_TRAFFIC_SHIFT (ECS rolls back)',
      broken,
      'rolled-back',
    );

    const records = await traffic.stop();
    console.log('\nClient traffic through the ECS-native production listener during both releases');
    console.log(tally(records));
  } finally {
    env.destroy();
  }
}
