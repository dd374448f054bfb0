/**
 * `command: rollback` on an ECS-native blue/green service through the bundled action: while a
 * deployment is still baking, ECS's own rollback (StopServiceDeployment) puts production back
 * on the revision that still runs; after a finished release, a redeploy of the older revision.
 */
import { ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { nativeLoadBalancer } from '../sim/ecs/native-testing.js';
import { registerWeb } from '../sim/ecs/testing.js';
import { startTraffic } from '../sim/elb/testing.js';
import { failedRequests } from './blue-green-env.js';
import {
  buildNative,
  liveTaskDefinition,
  type NativeEnv,
  nativeInputs,
  productionWeights,
} from './native-env.js';
import { envPerTest, runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('rollback of an ECS-native blue/green service', () => {
  const build = envPerTest((name) => buildNative(sim(), name), 'natrb');

  const rollback = (e: NativeEnv) =>
    runAgainst(sim(), {
      inputs: {
        command: 'rollback',
        strategy: 'ecs-blue-green',
        cluster: e.cluster,
        service: e.name,
        reason: 'v2 breaks checkout',
        'poll-interval': '100ms',
        timeout: '6h',
      },
    });

  it("uses ECS's own rollback while the release is still baking", async () => {
    const e = await build();
    const v1 = await liveTaskDefinition(e);
    // A deployment still baking whose runner died: started outside the action, bake 10 simulated hours.
    const { UpdateServiceCommand } = await import('@aws-sdk/client-ecs');
    const v2 = await registerWeb(e.clients.ecs, e.name, `${e.repositoryUri}:v2`, { omitProtocol: true });
    await e.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: e.cluster,
        service: e.name,
        taskDefinition: v2,
        deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 600 },
        loadBalancers: [nativeLoadBalancer(e.infra)],
      }),
    );
    await sim().ecs.waitFor(
      () => {
        const s = sim().ecs.getService(e.cluster, e.name);
        const run = s && sim().ecs.native.active(s);
        return run?.stage === 'BAKE_TIME';
      },
      { timeoutMs: 30_000, what: 'the bake' },
    );
    expect(productionWeights(sim(), e)).toEqual({ a: 0, b: 100 });
    const traffic = startTraffic(e.productionUrl, 40);
    const result = await rollback(e);
    const records = await traffic.stop();
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatch(/ecs-rollback/);
    expect(productionWeights(sim(), e)).toEqual({ a: 100, b: 0 });
    expect(await liveTaskDefinition(e)).toBe(v1);
    const list = await e.clients.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: e.cluster, service: e.name }),
    );
    expect(list.serviceDeployments?.[0]?.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(failedRequests(records)).toEqual([]);
  });

  it('redeploys the older revision once the release finished', async () => {
    const e = await build();
    const v1 = await liveTaskDefinition(e);
    // No client traffic here: do not wait for metrics that cannot come.
    const released = await runAgainst(sim(), { inputs: nativeInputs(e, 'v2', { 'metric-wait': '500ms' }) });
    expect(released.outputs.status).toBe('succeeded');
    await sim().ecs.waitForSteady(e.cluster, e.name, { timeoutMs: 20_000 });
    const result = await rollback(e);
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatch(/redeploy/);
    expect(await liveTaskDefinition(e)).toBe(v1);
    // ECS ran the redeploy as another blue/green deployment: production is back on the first group.
    expect(productionWeights(sim(), e)).toEqual({ a: 100, b: 0 });
  });
});
