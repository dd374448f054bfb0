/**
 * A successful canary release through the bundled action, with client traffic through the
 * production listener all along: the new version appears at the canary step and takes over at
 * the last one, the old side ends at zero tasks with autoscaling unable to bring it back, and
 * no client request fails. Re-running the same release changes nothing.
 */
import { DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
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
      status: 'deployed',
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
  });

  it('changes nothing when the same release runs again', async () => {
    sim().log.clear();
    const result = await runAgainst(sim(), { inputs: releaseInputs(env, 'v2') });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({ status: 'unchanged', 'live-color': 'green' });
    expect(sim().log.mutations()).toEqual([]);
  });
});
