/**
 * Several services in one run through the bundled action: deployed together, watched by one
 * poller in batches of 10, one broken service rolled back alone; throttled reads slow the
 * poll but do not fail the deploy; unknown clusters or services change nothing.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ecsClient } from '../sim/ecs/testing.js';
import { FAST, type LiveService, liveService } from './rolling-support.js';
import { runAgainst, useSimulator, workspace } from './support.js';

const sim = useSimulator({ timeScale: 300 });

function configFile(cluster: string, services: { service: string; image: string }[]): string {
  return [
    `cluster: ${cluster}`,
    'services:',
    ...services.flatMap((s) => [`  - name: ${s.service}`, `    images: ${s.image}`]),
  ].join('\n');
}

describe('rolling deploy of several services', () => {
  let ecs: ECSClient;
  let fleet: LiveService[];
  beforeAll(async () => {
    ecs = ecsClient(sim());
    fleet = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        liveService(sim(), ecs, { cluster: 'fleet', service: `svc${i + 1}` }),
      ),
    );
  });
  afterAll(() => ecs.destroy());

  it('deploys ten services; the broken one is rolled back alone and the summary shows all ten', async () => {
    const broken = 'svc7';
    const config = configFile(
      'fleet',
      fleet.map((s) => ({ service: s.service, image: `${s.repo}:${s.service === broken ? 'crash' : 'v2'}` })),
    );
    sim().log.clear();
    const result = await runAgainst(sim(), {
      inputs: { config: 'deploy.yml', ...FAST },
      workspace: workspace({ 'deploy.yml': config }),
    });

    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^Deploy failed for 1 of 10 services \(svc7\)\./);
    expect(result.errors[0]).toMatch(/svc7: ECS rolled back to svc7:1/);
    expect(result.errors[0]).toMatch(/exit code 1/);
    expect(result.outputs['rolled-back']).toBe('true');

    const results = JSON.parse(result.outputs.results!) as { service: string; status: string }[];
    expect(results).toHaveLength(10);
    for (const r of results) expect(r.status).toBe(r.service === broken ? 'rolled-back' : 'succeeded');

    for (const s of fleet) {
      const serving = sim().ecs.healthyTasks('fleet', s.service);
      expect(serving).toHaveLength(2);
      const expected = s.service === broken ? s.v1 : expect.stringMatching(new RegExp(`${s.service}:2$`));
      for (const t of serving) expect(t.taskDefinitionArn).toEqual(expected);
    }

    // One poller: every DescribeServices call of the watch carries all ten services.
    const reads = sim()
      .log.calls.filter((c) => c.operation === 'DescribeServices')
      .map((c) => (c.params.services as string[]).length);
    expect(reads.filter((n) => n === 10).length).toBeGreaterThan(1);
    expect(reads.every((n) => n <= 10)).toBe(true);

    for (const s of fleet) expect(result.summary).toMatch(new RegExp(`\\| ${s.service} \\| `));
    expect(result.summary).toMatch(/\| svc7 \| ↩️ failed, rolled back \|/);
    expect(result.summary.match(/✅ deployed/g)).toHaveLength(9);
  });

  it('succeeds although a third of DescribeServices calls are throttled', async () => {
    const config = configFile(
      'fleet',
      fleet.slice(0, 3).map((s) => ({ service: s.service, image: `${s.repo}:v3` })),
    );
    sim().log.clear();
    sim().faults.add({ operation: 'DescribeServices', kind: 'throttle', rate: 1 / 3 });
    try {
      const result = await runAgainst(sim(), {
        inputs: { config: 'deploy.yml', ...FAST },
        workspace: workspace({ 'deploy.yml': config }),
      });
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(result.outputs.status).toBe('succeeded');
      const throttled = sim().log.calls.filter(
        (c) => c.operation === 'DescribeServices' && c.error === 'ThrottlingException',
      );
      expect(throttled.length).toBeGreaterThan(0);
    } finally {
      sim().faults.clear();
    }
  });

  it.each([
    {
      name: 'an unknown cluster',
      inputs: { cluster: 'nowhere', service: 'svc1' },
      error: /Cluster "nowhere" was not found \(input "cluster"\)/,
    },
    {
      name: 'an unknown service among known ones',
      inputs: { cluster: 'fleet', services: 'svc1, svc2, svc-typo' },
      error: /Service "svc-typo" in cluster "fleet" not found or not active .*Nothing was changed\./,
    },
  ])('changes nothing for $name', async ({ inputs, error }) => {
    sim().log.clear();
    const result = await runAgainst(sim(), { inputs: { ...inputs, ...FAST } });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toEqual([expect.stringMatching(error)]);
    expect(sim().log.mutations(true)).toEqual([]);
  });
});
