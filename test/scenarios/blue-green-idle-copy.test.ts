/**
 * The idle side created on a first release is a true copy of the live service: every field
 * CreateService accepts, from the service and its PRIMARY deployment (service connect lives
 * there), with the idle target group and 0 tasks; what cannot be copied is refused before any
 * change. Before the fix the copy dropped service registries, service connect, AZ rebalancing
 * and the role, and copied `aws:` tags, which ECS refuses.
 */
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BlueGreenEnv, buildBlueGreen, releaseInputs } from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

const REGISTRY = {
  registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-0123456789abcdef',
};

describe('the idle side is a true copy of the live service', () => {
  let env: BlueGreenEnv;
  let strict: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'copy', { withoutGreen: true });
    strict = await buildBlueGreen(sim(), 'nocopy', { withoutGreen: true });
  }, 60_000);
  afterAll(() => {
    env.destroy();
    strict.destroy();
  });

  it('copies registries, service connect, AZ rebalancing, managed tags and user tags', async () => {
    await env.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: env.cluster,
        service: 'copy-blue',
        serviceRegistries: [REGISTRY],
        serviceConnectConfiguration: { enabled: true, namespace: 'internal' },
        availabilityZoneRebalancing: 'ENABLED',
        enableECSManagedTags: true,
        propagateTags: 'SERVICE',
      }),
    );
    await sim().ecs.waitForSteady(env.cluster, 'copy-blue', { timeoutMs: 20_000 });
    sim().log.clear();
    const result = await runAgainst(sim(), { inputs: releaseInputs(env, 'v2', { 'max-p95-latency': '0' }) });
    expect(result.errors).toEqual([]);
    const created = sim()
      .log.calls.filter((c) => c.operation === 'CreateService')
      .map((c) => c.params as Record<string, unknown>);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      serviceName: 'copy-green',
      desiredCount: 0,
      serviceRegistries: [REGISTRY],
      serviceConnectConfiguration: { enabled: true, namespace: 'internal' },
      availabilityZoneRebalancing: 'ENABLED',
      enableECSManagedTags: true,
      propagateTags: 'SERVICE',
      loadBalancers: [{ targetGroupArn: env.greenTargetGroupArn, containerName: 'web', containerPort: 8080 }],
      tags: [{ key: 'team', value: 'checkout' }],
    });
  }, 60_000);

  it('refuses a live service that publishes Service Connect endpoints, changing nothing', async () => {
    await strict.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: strict.cluster,
        service: 'nocopy-blue',
        serviceConnectConfiguration: {
          enabled: true,
          namespace: 'internal',
          services: [{ portName: 'web', discoveryName: 'web', clientAliases: [{ port: 80 }] }],
        },
      }),
    );
    await sim().ecs.waitForSteady(strict.cluster, 'nocopy-blue', { timeoutMs: 20_000 });
    sim().log.clear();
    const result = await runAgainst(sim(), { inputs: releaseInputs(strict, 'v2') });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'refused' });
    expect(result.errors.join('\n')).toMatch(
      /Cannot create nocopy-green as a copy of nocopy-blue: it publishes Service Connect endpoints/,
    );
    expect(sim().log.mutations()).toEqual([]);
  }, 60_000);
});
