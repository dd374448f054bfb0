/**
 * `command: rollback` on rolling services through the bundled action: back to the last known
 * good revision from the history, the refusals that change nothing, and a rollback whose target
 * crashes, which fails loudly and leaves the service on what was live.
 */
import { DeregisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readHistory } from '../../src/history/history.js';
import { ecsClient, registerWeb } from '../sim/ecs/testing.js';
import { FAST, type LiveService, liveService } from './rolling-support.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 300 });

describe('rollback of a rolling service', () => {
  let ecs: ECSClient;
  let live: LiveService;
  const deploy = (tag: string) =>
    runAgainst(sim(), {
      inputs: { cluster: 'prod', service: 'shop', images: `${live.repo}:${tag}`, ...FAST },
    });
  const rollback = (inputs: Record<string, string>) =>
    runAgainst(sim(), {
      inputs: { command: 'rollback', cluster: 'prod', service: 'shop', ...FAST, ...inputs },
    });
  const runningRevision = () => sim().ecs.getService('prod', 'shop')!.taskDefinitionArn;

  beforeAll(async () => {
    ecs = ecsClient(sim());
    live = await liveService(sim(), ecs, { cluster: 'prod', service: 'shop' });
  });
  afterAll(() => ecs.destroy());

  it('refuses when there is no earlier good entry, changing nothing', async () => {
    sim().log.clear();
    const result = await rollback({ reason: 'testing' });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/ECS records no good revision of shop before shop:1/);
    expect(sim().log.mutations()).toEqual([]);
  });

  it('after two successful deploys, `previous` returns to the first', async () => {
    const first = await deploy('v2');
    expect(first.outputs.status).toBe('succeeded');
    const second = await deploy('v3');
    expect(second.outputs.status).toBe('succeeded');
    const firstArn = first.outputs['task-definition-arn']!;
    const secondArn = second.outputs['task-definition-arn']!;

    const result = await rollback({ reason: 'v3 returns 500s on checkout' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      'task-definition-arn': firstArn,
      'rolled-back-from': secondArn,
      method: 'redeploy',
    });
    expect(runningRevision()).toBe(firstArn);
    for (const task of sim().ecs.healthyTasks('prod', 'shop')) {
      const body = (await (await fetch(`http://127.0.0.1:${task.port}/`)).json()) as { version: string };
      expect(body.version).toBe('v2');
    }
    expect(result.summary).toContain('**Reason:** v3 returns 500s on checkout');
    const history = await readHistory(ecs, sim().ecs.getService('prod', 'shop')!.arn);
    expect(history[0]).toMatchObject({
      kind: 'rollback',
      reason: 'v3 returns 500s on checkout',
      replaced: 'shop:3',
    });
    expect(`shop:${firstArn.split(':').at(-1)}`).toBe(history[0]!.taskDefinition);
  });

  it('refuses a rollback to what is already live', async () => {
    sim().log.clear();
    const result = await rollback({ reason: 'again', to: runningRevision().split(':').at(-1)! });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/is already live on "shop"; nothing to roll back/);
    expect(sim().log.mutations()).toEqual([]);
  });

  it('refuses a revision that does not exist, or is INACTIVE', async () => {
    sim().log.clear();
    const missing = await rollback({ reason: 'x', to: 'shop:99' });
    expect(missing.exitCode).toBe(1);
    expect(missing.errors[0]).toMatch(/Task definition shop:99 does not exist/);

    const inactive = await registerWeb(ecs, 'shop', `${live.repo}:v1`);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: inactive }));
    sim().log.clear();
    const result = await rollback({ reason: 'x', to: inactive });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/is INACTIVE; a rollback needs an ACTIVE revision/);
    expect(sim().log.mutations()).toEqual([]);
  });

  it('requires a reason, before any AWS call', async () => {
    sim().log.clear();
    const result = await rollback({});
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/Input "reason" is required for command "rollback"/);
    expect(sim().log.calls).toEqual([]);
  });

  it('fails loudly when the target revision crashes, and leaves the service on what was live', async () => {
    const before = runningRevision();
    const broken = await registerWeb(ecs, 'shop', `${live.repo}:crash`);
    const result = await rollback({ reason: 'try the crashing one', to: broken });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(
      /Rollback of "shop" to shop:\d+ failed: .*The service is back on shop:\d+/,
    );
    expect(result.summary).toContain('Why it failed');
    expect(result.stdout).toMatch(/exit code 1/);
    await sim().ecs.waitForSteady('prod', 'shop', { timeoutMs: 30_000 });
    expect(runningRevision()).toBe(before);
  });
});
