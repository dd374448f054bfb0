/**
 * A successful canary release through the bundled action, with client traffic through the
 * production listener all along: the new version appears at the canary step and takes over at
 * the last one, the old side ends at zero tasks with autoscaling unable to bring it back, and
 * no client request fails. Re-running the same release changes nothing.
 */
import { DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import { CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  failedRequests,
  productionTraffic,
  productionWeights,
  releaseInputs,
  scalableBounds,
  versionOf,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('blue-green canary release', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'shop', { autoscaling: true });
  });
  afterAll(() => env.destroy());

  it('moves traffic 10% then 100% to green, bakes, and retires blue without a failed request', async () => {
    const traffic = productionTraffic(env);
    traffic.phase = 'before';
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2', {
        'traffic-steps': 'canary 10%',
        'step-pause': '1500ms',
        'bake-time': '1s',
      }),
      cancelWhen: (out) => {
        // Not a cancel: stamp the phase of client traffic as the action reports its steps.
        if (out.includes('Production: 100% on green')) traffic.phase = 'all';
        else if (out.includes('Production: 10% on green')) traffic.phase = 'canary';
        return false;
      },
      post: true,
    });
    traffic.phase = 'after';
    await new Promise((r) => setTimeout(r, 300));
    const records = await traffic.stop();

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      status: 'succeeded',
      'live-color': 'green',
      'previous-color': 'blue',
      'traffic-shifted': 'true',
      'rolled-back': 'false',
    });
    expect(JSON.parse(result.outputs['smoke-results']!)).toEqual([
      expect.objectContaining({ request: 'GET /', ok: true }),
    ]);
    expect(failedRequests(records)).toEqual([]);
    const served = (phase: string) =>
      new Set(records.filter((r) => r.phase === phase && r.endPhase === phase).map(versionOf));
    expect(served('before')).toEqual(new Set(['v1']));
    expect(served('canary')).toEqual(new Set(['v1', 'v2']));
    expect(served('after')).toEqual(new Set(['v2']));

    expect(await productionWeights(env)).toEqual({ blue: 0, green: 100 });
    expect(await desiredCounts(env)).toEqual({ blue: 0, green: 2 });
    expect(await scalableBounds(env, 'blue')).toEqual({ min: 0, max: 0 });
    expect(await scalableBounds(env, 'green')).toEqual({ min: 2, max: 6 });
    const { ScalingPolicies } = await env.clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/shop-green' }),
    );
    expect(ScalingPolicies?.map((p) => p.PolicyName)).toEqual(['cpu70']);
    expect(result.summary).toContain('Deployed');
    expect(result.summary).toContain('| GET / |');
    expect(result.post?.stdout).toContain('Nothing left to undo: the release finished.');
    expect(result.post?.warnings).toEqual([]);
  });

  it('changes nothing when the same release runs again', async () => {
    sim().log.clear();
    const result = await runAgainst(sim(), { inputs: releaseInputs(env, 'v2') });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({ status: 'unchanged', 'live-color': 'green' });
    expect(sim().log.mutations()).toEqual([]);
  });

  it('smoke-tests through a header rule on the production listener, then releases back to blue', async () => {
    // The test route is a rule: requests with `X-Test: idle` reach the idle side. It starts out
    // pointing at the live side, so only a rule the action moved lets the smoke test pass.
    const { Rules } = await env.clients.elb.send(
      new CreateRuleCommand({
        ListenerArn: env.listenerArn,
        Priority: 10,
        Conditions: [
          { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Test', Values: ['idle'] } },
        ],
        Actions: [{ Type: 'forward', TargetGroupArn: env.greenTargetGroupArn }],
      }),
    );
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v1', {
        'test-listener': Rules![0]!.RuleArn!,
        'test-url': env.productionUrl,
        'smoke-tests': 'GET / 200 header:X-Test=idle json:version=v1',
        'traffic-steps': 'linear 50%',
        'step-pause': '500ms',
      }),
    });
    const records = await traffic.stop();

    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain('Test rule now forwards to blue.');
    expect(result.outputs).toMatchObject({
      status: 'succeeded',
      'live-color': 'blue',
      'previous-color': 'green',
    });
    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    expect(await desiredCounts(env)).toEqual({ blue: 2, green: 0 });
    // Bounds and policies follow the live side back.
    expect(await scalableBounds(env, 'blue')).toEqual({ min: 2, max: 6 });
    expect(await scalableBounds(env, 'green')).toEqual({ min: 0, max: 0 });
  });

  it('dry run: says what it would do and changes nothing', async () => {
    sim().log.clear();
    const result = await runAgainst(sim(), { inputs: releaseInputs(env, 'v2', { 'dry-run': 'true' }) });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({
      status: 'dry-run',
      'live-color': 'blue',
      'traffic-shifted': 'false',
    });
    expect(result.summary).toContain(
      'would deploy shop to shop-green and move production traffic all at once',
    );
    expect(sim().log.mutations()).toEqual([]);
  });
});
