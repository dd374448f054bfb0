/**
 * "Last known good" comes from what ECS itself records about each deployment, not from tags
 * anyone with `ecs:TagResource` can write: identical re-runs do not push the good revision out,
 * a forged entry naming another family is refused, and a service deployed before the action was
 * adopted can be rolled back without `to:`. Client traffic through the listener sees no failure.
 */
import { TagResourceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registerWeb } from '../sim/ecs/testing.js';
import { type BlueGreenEnv, buildBlueGreen, failedRequests, productionTraffic } from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });
const FAST = { 'poll-interval': '100ms', timeout: '60s' };

describe('a history derived from ECS service deployments', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'shop', { withoutGreen: true });
    sim().ecr.putImage('shop', 'v3');
  });
  afterAll(() => env.destroy());

  const service = 'shop-blue';
  const live = () => sim().ecs.getService(env.cluster, service)!.taskDefinitionArn;
  const deploy = (tag: string) =>
    runAgainst(sim(), {
      inputs: { cluster: env.cluster, service, images: `${env.repositoryUri}:${tag}`, ...FAST },
    });
  const rollback = (extra: Record<string, string> = {}) =>
    runAgainst(sim(), {
      inputs: {
        command: 'rollback',
        cluster: env.cluster,
        service,
        reason: 'bad release',
        ...FAST,
        ...extra,
      },
    });

  it('the first rollback after adopting the action needs no `to:`: ECS recorded the earlier good revision', async () => {
    const traffic = productionTraffic(env);
    const v1 = live();
    // Deployed by hand (or another tool) before the action was adopted.
    const v2 = await registerWeb(env.clients.ecs, 'shop', `${env.repositoryUri}:v2`, { omitProtocol: true });
    await env.clients.ecs.send(
      new UpdateServiceCommand({ cluster: env.cluster, service, taskDefinition: v2 }),
    );
    await sim().ecs.waitForSteady(env.cluster, service, { timeoutMs: 30_000 });

    const result = await rollback();
    const records = await traffic.stop();
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({ 'task-definition-arn': v1, 'rolled-back-from': v2 });
    expect(live()).toBe(v1);
    expect(failedRequests(records)).toEqual([]);
  }, 120_000);

  it('ten identical re-runs, then `rollback`, return to the previous good revision', async () => {
    const traffic = productionTraffic(env);
    const good = await deploy('v2');
    expect(good.outputs.status).toBe('succeeded');
    let again = '';
    for (let i = 0; i < 10; i++) {
      const run = await deploy('v3');
      expect(run.outputs.status).toBe('succeeded');
      again = run.outputs['task-definition-arn']!;
    }
    expect(again).not.toBe(good.outputs['task-definition-arn']);
    const result = await rollback();
    const records = await traffic.stop();
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({
      'task-definition-arn': good.outputs['task-definition-arn'],
      'rolled-back-from': again,
    });
    expect(live()).toBe(good.outputs['task-definition-arn']);
    expect(failedRequests(records)).toEqual([]);
  }, 240_000);

  it('refuses a forged history tag naming another family', async () => {
    const traffic = productionTraffic(env);
    const previousGood = (await deploy('v1')).outputs['previous-task-definition-arn'];
    const otherArn = await registerWeb(env.clients.ecs, 'attacker', `${env.repositoryUri}:v2`, {
      omitProtocol: true,
    });
    const otherRevision = otherArn.slice(otherArn.lastIndexOf(':') + 1);
    const serviceArn = sim().ecs.getService(env.cluster, service)!.arn;
    // Anyone who may tag the service writes a "newest good" entry that names their own family.
    await env.clients.ecs.send(
      new TagResourceCommand({
        resourceArn: serviceArn,
        tags: [
          {
            key: 'deploy-action:history:1',
            value: `attacker:${otherRevision} 2030-01-01T00:00:00Z 0123456789ab 1 deploy`,
          },
        ],
      }),
    );
    sim().log.clear();
    const result = await rollback();
    const records = await traffic.stop();
    // The forged entry is refused (and said so); the rollback goes where ECS's records say.
    expect(result.errors).toEqual([]);
    expect(result.warnings.join('\n')).toMatch(/attacker:\d+/);
    expect(result.outputs['task-definition-arn']).toBe(previousGood);
    expect(live()).toBe(previousGood);
    expect(
      sim()
        .log.mutations()
        .filter(
          (c) => c.operation === 'UpdateService' && String(c.params.taskDefinition).includes('attacker'),
        ),
    ).toEqual([]);
    expect(failedRequests(records)).toEqual([]);
  }, 120_000);

  it('a service with many tags of its own still records its history, within the 50-tag limit', async () => {
    const serviceArn = sim().ecs.getService(env.cluster, service)!.arn;
    const { ListTagsForResourceCommand, UntagResourceCommand } = await import('@aws-sdk/client-ecs');
    const tagsNow = async () =>
      (await env.clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: serviceArn }))).tags ?? [];
    // Start from a service the action never tagged, then give it 46 tags of its own.
    const ours = (await tagsNow()).filter((t) => t.key?.startsWith('deploy-action:')).map((t) => t.key!);
    if (ours.length) {
      await env.clients.ecs.send(new UntagResourceCommand({ resourceArn: serviceArn, tagKeys: ours }));
    }
    const own = (await tagsNow()).length;
    await env.clients.ecs.send(
      new TagResourceCommand({
        resourceArn: serviceArn,
        tags: Array.from({ length: 46 - own }, (_, i) => ({ key: `cost-centre-${i}`, value: 'x' })),
      }),
    );
    const traffic = productionTraffic(env);
    // Five releases, alternating: five history entries would need 51 tags.
    const runs = [];
    for (const tag of ['v2', 'v3', 'v2', 'v3', 'v2']) runs.push(await deploy(tag));
    const records = await traffic.stop();
    expect(runs.map((r) => r.outputs.status)).toEqual(Array(5).fill('succeeded'));
    expect(runs.flatMap((r) => r.warnings).join('\n')).not.toMatch(/history/);
    const tags = await tagsNow();
    expect(tags.length).toBeLessThanOrEqual(50);
    const history = tags.filter((t) => t.key?.startsWith('deploy-action:history:'));
    // Within the room the user's tags leave (4): each revision once, newest first.
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(history.length).toBeLessThanOrEqual(4);
    expect(history.find((t) => t.key === 'deploy-action:history:1')?.value).toMatch(/^shop:\d+ /);
    expect(failedRequests(records)).toEqual([]);
  }, 120_000);
});
