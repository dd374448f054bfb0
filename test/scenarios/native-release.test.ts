/**
 * ECS-native blue/green releases through the bundled action, with 40 requests/s of client
 * traffic through the production listener: a canary that succeeds without a failed request, a
 * smoke failure at the test-traffic stage that rolls back before production moved, a firing
 * alarm during the canary step, SIGINT mid-canary, and a mis-wired alternate target group
 * refused before any change.
 */
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { createGroup, startTraffic } from '../sim/elb/testing.js';
import { failedRequests, versionOf } from './blue-green-env.js';
import { buildNative, liveTaskDefinition, nativeInputs, productionWeights } from './native-env.js';
import { envPerTest, runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('ECS-native blue/green releases', () => {
  const build = envPerTest((name) => buildNative(sim(), name), 'nat');

  it('runs a canary through ECS with smoke tests and gates, without a failed request', async () => {
    const e = await build();
    const traffic = startTraffic(e.productionUrl, 40);
    traffic.phase = 'before';
    const result = await runAgainst(sim(), {
      inputs: nativeInputs(e, 'v2'),
      cancelWhen: (out) => {
        if (out.includes('(production 10%')) traffic.phase = 'canary';
        if (out.includes('ECS finished the deployment')) traffic.phase = 'after';
        return false;
      },
      post: true,
    });
    await new Promise((r) => setTimeout(r, 300));
    traffic.phase = 'end';
    await new Promise((r) => setTimeout(r, 300));
    const records = await traffic.stop();
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      status: 'succeeded',
      'traffic-shifted': 'true',
      'rolled-back': 'false',
    });
    expect(JSON.parse(result.outputs['smoke-results']!)).toEqual([expect.objectContaining({ ok: true })]);
    expect(failedRequests(records)).toEqual([]);
    expect(records.length).toBeGreaterThan(40);
    const served = (phase: string) => new Set(records.filter((r) => r.phase === phase).map(versionOf));
    expect(served('end')).toEqual(new Set(['v2']));
    expect(productionWeights(sim(), e)).toEqual({ a: 0, b: 100 });
    expect(await liveTaskDefinition(e)).toBe(result.outputs['task-definition-arn']);
    expect(result.summary).toContain('ECS blue/green release');
    expect(result.summary).toContain('POST_TEST_TRAFFIC_SHIFT');
    // The action's pause hook is gone: later deployments are not held.
    const service = sim().ecs.getService(e.cluster, e.name)!;
    expect(service.deploymentConfiguration.lifecycleHooks).toEqual([]);
    expect(service.deploymentConfiguration.strategy).toBe('CANARY');
  });

  it('rolls back on a smoke failure at the test-traffic stage before production moved', async () => {
    const e = await build();
    const traffic = startTraffic(e.productionUrl, 40);
    const result = await runAgainst(sim(), {
      inputs: nativeInputs(e, 'v2', {
        'smoke-tests': 'GET / 200 json:version=v9 retries:1 retry-delay:50ms',
      }),
      post: true,
    });
    const records = await traffic.stop();
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'rolled-back': 'true',
      'traffic-shifted': 'false',
    });
    expect(result.errors.join('\n')).toMatch(/Smoke test failed/);
    expect(failedRequests(records)).toEqual([]);
    expect(new Set(records.map(versionOf))).toEqual(new Set(['v1']));
    expect(productionWeights(sim(), e)).toEqual({ a: 100, b: 0 });
    const list = await e.clients.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: e.cluster, service: e.name }),
    );
    expect(list.serviceDeployments?.[0]?.status).toBe('ROLLBACK_SUCCESSFUL');
    const run = sim().ecs.native.runOf(sim().ecs.getService(e.cluster, e.name)!.serviceDeployments[0]!)!;
    expect(run.stages.map((s) => s.stage)).not.toContain('PRODUCTION_TRAFFIC_SHIFT');
  });

  it('rolls back when an alarm fires during the canary step', async () => {
    const e = await build();
    const traffic = startTraffic(e.productionUrl, 40);
    let fired = false;
    const result = await runAgainst(sim(), {
      inputs: nativeInputs(e, 'v2', { 'step-pause': '3s' }),
      cancelWhen: (out) => {
        if (!fired && out.includes('(production 10%')) {
          fired = true;
          sim().cloudwatch.pauseEvaluation();
          void e.clients.cloudwatch.send(
            new SetAlarmStateCommand({
              AlarmName: e.alarmName,
              StateValue: 'ALARM',
              StateReason: 'scenario',
            }),
          );
        }
        return false;
      },
    });
    sim().cloudwatch.resumeEvaluation();
    const records = await traffic.stop();
    expect(fired).toBe(true);
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'rolled-back': 'true' });
    expect(result.errors.join('\n')).toMatch(/Alarm|alarm/);
    expect(productionWeights(sim(), e)).toEqual({ a: 100, b: 0 });
    expect(failedRequests(records)).toEqual([]);
  });

  it('stops the deployment with rollback on SIGINT mid-canary, within the grace window', async () => {
    const e = await build();
    const traffic = startTraffic(e.productionUrl, 40);
    const result = await runAgainst(sim(), {
      inputs: nativeInputs(e, 'v2', { 'step-pause': '20s' }),
      cancelWhen: (out) => out.includes('(production 10%'),
      post: true,
    });
    const cancelledAt = Date.now();
    const restoredAt = await sim().ecs.waitFor(() => productionWeights(sim(), e).a === 100 && Date.now(), {
      timeoutMs: 7_500,
      what: 'production back on the first group',
    });
    await new Promise((r) => setTimeout(r, 500));
    const records = await traffic.stop();
    expect(result.signal).toBeNull();
    expect(result.outputs.status).toBe('cancelled');
    expect(result.durationMs - (result.cancelledAtMs ?? 0)).toBeLessThan(7_500);
    expect(restoredAt - cancelledAt).toBeLessThan(7_500);
    expect(result.stdout).toMatch(/StopServiceDeployment/);
    expect(result.post?.exitCode).toBe(0);
    expect(failedRequests(records)).toEqual([]);
    const list = await e.clients.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: e.cluster, service: e.name }),
    );
    expect(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']).toContain(list.serviceDeployments?.[0]?.status);
  });

  it('refuses a mis-wired alternate target group before any change', async () => {
    const e = await build();
    // A group that is attached to no load balancer: the rules forward to another one.
    const stray = await createGroup(e.clients.elb, `${e.name}-stray`);
    const before = sim().log.calls.length;
    const result = await runAgainst(sim(), {
      inputs: nativeInputs(e, 'v2', { 'alternate-target-group': stray }),
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('refused');
    expect(result.errors.join('\n')).toMatch(
      /neither the service's target group nor "alternate-target-group".*Nothing was changed/s,
    );
    const mutations = sim()
      .log.calls.slice(before)
      .filter((c) => c.mutating && !c.error && c.userAgent?.includes('deploy-action'));
    expect(mutations).toEqual([]);
  });
});
