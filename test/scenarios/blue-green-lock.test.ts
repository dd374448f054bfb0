/**
 * Two releases of the same service started at the same moment: exactly one moves traffic; the
 * other fails clearly, naming the deploy lock, and never touches a listener. Client traffic
 * through the production listener sees no failure.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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

describe('the blue-green deploy lock', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'auth');
  });
  afterAll(() => env.destroy());

  it('lets one of two simultaneous releases through and refuses the other', async () => {
    const traffic = productionTraffic(env);
    const [a, b] = await Promise.all([
      runAgainst(sim(), { inputs: releaseInputs(env, 'v2'), post: true }),
      runAgainst(sim(), { inputs: releaseInputs(env, 'v2'), post: true }),
    ]);
    const records = await traffic.stop();

    const winner = a.exitCode === 0 ? a : b;
    const loser = winner === a ? b : a;
    expect(winner.outputs).toMatchObject({ status: 'succeeded', 'live-color': 'green' });
    expect(loser.exitCode).toBe(1);
    expect(loser.outputs).toMatchObject({ status: 'refused', 'traffic-shifted': 'false' });
    expect(loser.errors[0]).toMatch(/deploy lock of auth-blue|Another release changed auth-blue/);
    expect(loser.stdout).not.toContain('Production:');
    expect(loser.stdout).not.toContain('deploying');
    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 0, green: 100 });
    expect(await desiredCounts(env)).toEqual({ blue: 0, green: 2 });
  });

  it('takes over the lock of a crashed run once it expired', async () => {
    const { TagResourceCommand, DescribeServicesCommand } = await import('@aws-sdk/client-ecs');
    const described = await env.clients.ecs.send(
      new DescribeServicesCommand({ cluster: env.cluster, services: ['auth-blue'] }),
    );
    const arn = described.services![0]!.serviceArn!;
    const lock = (until: string) =>
      env.clients.ecs.send(
        new TagResourceCommand({
          resourceArn: arn,
          tags: [{ key: 'deploy-action:lock', value: `owner=crashed/7.1/x until=${until}` }],
        }),
      );
    await lock(new Date(Date.now() + 3_600_000).toISOString());
    const held = await runAgainst(sim(), { inputs: releaseInputs(env, 'v1') });
    expect(held.exitCode).toBe(1);
    expect(held.errors[0]).toContain(
      'Another release holds the deploy lock of auth-blue (crashed/7.1/x, until',
    );

    await lock(new Date(Date.now() - 1_000).toISOString());
    const after = await runAgainst(sim(), { inputs: releaseInputs(env, 'v1') });
    expect(after.errors).toEqual([]);
    expect(after.outputs).toMatchObject({ status: 'succeeded', 'live-color': 'blue' });
  });
});
