/**
 * The first blue-green release on a setup with only the live service: the idle service is
 * created from the live one's configuration with the idle target group (found in the
 * production forward action), then the release runs as usual, with client traffic through the
 * production listener and no failed request. A crashing image stops before production sees it,
 * with the tasks' stop reason in the error.
 */
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  failedRequests,
  productionTraffic,
  productionWeights,
  releaseInputs,
  versionsServed,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('first blue-green release on a single service', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'news', { withoutGreen: true });
  });
  afterAll(() => env.destroy());

  it('creates the idle service from the live one, then releases', async () => {
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), { inputs: releaseInputs(env, 'v2'), post: true });
    const records = await traffic.stop();

    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain(
      "Created news-green from news-blue's configuration, with 0 tasks in news-green.",
    );
    expect(result.outputs).toMatchObject({
      status: 'succeeded',
      'live-color': 'green',
      'previous-color': 'blue',
    });
    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 0, green: 100 });
    expect(await desiredCounts(env)).toEqual({ blue: 0, green: 2 });

    const { services } = await env.clients.ecs.send(
      new DescribeServicesCommand({
        cluster: env.cluster,
        services: ['news-blue', 'news-green'],
        include: ['TAGS'],
      }),
    );
    const [blue, green] = services!;
    expect(green).toMatchObject({
      launchType: blue!.launchType,
      networkConfiguration: blue!.networkConfiguration,
      healthCheckGracePeriodSeconds: 30,
      loadBalancers: [{ targetGroupArn: env.greenTargetGroupArn, containerName: 'web', containerPort: 8080 }],
    });
    expect(green!.tags).toEqual([{ key: 'team', value: 'checkout' }]);
  });

  it('stops a crashing image before production sees it, saying why', async () => {
    const traffic = productionTraffic(env);
    const result = await runAgainst(sim(), { inputs: releaseInputs(env, 'crash'), post: true });
    const records = await traffic.stop();

    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'live-color': 'green',
      'rolled-back': 'true',
    });
    expect(result.errors.join('\n')).toMatch(
      /news-blue \(blue\) did not become stable on the new revision: .*Essential container in task exited/,
    );
    expect(failedRequests(records)).toEqual([]);
    expect(versionsServed(records)).toEqual(['v2']);
    expect(await productionWeights(env)).toEqual({ blue: 0, green: 100 });
    expect(await desiredCounts(env)).toEqual({ blue: 0, green: 2 });
  });
});
