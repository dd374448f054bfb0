/**
 * `command: rollback` on a blue-green pair through the bundled action, with client traffic
 * through the production listener all along: when the idle side still runs the target
 * revision, the rollback is one listener change and no request fails; otherwise the target is
 * released through the normal blue-green path.
 */
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readTargetHealth } from '../../src/aws/target-health.js';
import { readHistory } from '../../src/history/history.js';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  failedRequests,
  productionTraffic,
  productionWeights,
  releaseInputs,
  versionOf,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('rollback of a blue-green service', () => {
  let env: BlueGreenEnv;
  const rollbackInputs = (extra: Record<string, string>) => {
    const release = releaseInputs(env, 'v1')!;
    return {
      ...release,
      command: 'rollback',
      images: undefined,
      'smoke-tests': 'GET / 200 retries:2 retry-delay:100ms',
      ...extra,
    };
  };
  const idleHealthy = async (color: 'blue' | 'green', count: number) => {
    const arn = color === 'blue' ? env.blueTargetGroupArn : env.greenTargetGroupArn;
    for (let i = 0; i < 300; i++) {
      const h = await readTargetHealth(env.clients.elb, arn);
      if (h.healthy === count && h.notHealthy.length === 0 && h.draining === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${color} never had ${count} healthy targets`);
  };

  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'cart');
  });
  afterAll(() => env.destroy());

  it('switches traffic back in one listener change when the idle side still runs the target', async () => {
    const release = await runAgainst(sim(), { inputs: releaseInputs(env, 'v2') });
    expect(release.outputs).toMatchObject({ status: 'succeeded', 'live-color': 'green' });
    // The old side is kept running (as with a scale-down delay): it still runs cart:1.
    await env.clients.ecs.send(
      new UpdateServiceCommand({ cluster: env.cluster, service: 'cart-blue', desiredCount: 2 }),
    );
    await idleHealthy('blue', 2);

    const traffic = productionTraffic(env);
    traffic.phase = 'before';
    sim().log.clear();
    const result = await runAgainst(sim(), {
      inputs: rollbackInputs({ to: '1', reason: 'v2 breaks the basket' }),
      cancelWhen: (out) => {
        // Before: nothing changed yet. Switching: the listener change is under way and reaches
        // the load balancer a few seconds later. After: the action reported traffic restored,
        // which it does only once the change had its route-settle to propagate.
        if (out.includes('Production: ')) traffic.phase = 'after';
        else if (out.includes('one listener change.')) traffic.phase = 'switching';
        return false;
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    const records = await traffic.stop();

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      method: 'traffic-switch',
      'live-color': 'blue',
      'task-definition-arn': expect.stringMatching(/task-definition\/cart:1$/),
      'rolled-back-from': expect.stringMatching(/task-definition\/cart:2$/),
    });
    expect(failedRequests(records)).toEqual([]);
    expect(
      new Set(records.filter((r) => r.phase === 'before' && r.endPhase === 'before').map(versionOf)),
    ).toEqual(new Set(['v2']));
    expect(
      new Set(records.filter((r) => r.phase === 'after' && r.endPhase === 'after').map(versionOf)),
    ).toEqual(new Set(['v1']));
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    // One listener change, nothing else mutated but the history tag.
    expect(
      sim()
        .log.mutations()
        .map((c) => c.operation),
    ).toEqual(['CreateRule', 'ModifyListener', 'DeleteRule', 'TagResource']);
    const history = await readHistory(env.clients.ecs, sim().ecs.getService(env.cluster, 'cart-blue')!.arn);
    expect(history[0]).toMatchObject({
      kind: 'rollback',
      taskDefinition: 'cart:1',
      replaced: 'cart:2',
      reason: 'v2 breaks the basket',
    });
    process.stdout.write(`traffic-switch rollback took ${result.durationMs} ms wall (whole step)\n`);
  });

  it('releases the target through the blue-green path when the idle side is gone', async () => {
    // Green (cart:2) is idle now; take it away so a switch is impossible.
    await env.clients.ecs.send(
      new UpdateServiceCommand({ cluster: env.cluster, service: 'cart-green', desiredCount: 0 }),
    );
    await sim().ecs.waitForSteady(env.cluster, 'cart-green', { timeoutMs: 30_000 });
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), {
      inputs: rollbackInputs({ to: 'cart:2', reason: 'v1 was worse after all' }),
    });
    const records = await traffic.stop();
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({ method: 'redeploy', status: 'succeeded', 'live-color': 'green' });
    expect(result.outputs['task-definition-arn']).toMatch(/task-definition\/cart:2$/);
    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 0, green: 100 });
    expect(await desiredCounts(env)).toEqual({ blue: 0, green: 2 });
    expect(result.summary).toContain('by a blue-green release');
  });

  it('refuses `previous` when every earlier entry was rolled back from, changing nothing', async () => {
    sim().log.clear();
    const result = await runAgainst(sim(), { inputs: rollbackInputs({ reason: 'again' }) });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/no good revision of cart before cart:2/);
    expect(sim().log.mutations()).toEqual([]);
  });
});
