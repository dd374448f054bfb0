import type { ECSClient } from '@aws-sdk/client-ecs';
import {
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { clientConfig, createSteadyService, ecsClient, registerWeb } from '../ecs/testing.js';
import { createAlb, createGroup, inPhase, sleep, startTraffic, waitForState } from '../elb/testing.js';
import { Simulator } from '../index.js';

describe('blue-green between two real ECS services behind one listener', () => {
  let sim: Simulator;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 300 });
    ecs = ecsClient(sim);
    elb = new ElasticLoadBalancingV2Client(clientConfig(sim));
  });

  afterAll(async () => {
    ecs.destroy();
    elb.destroy();
    await sim.stop();
  });

  it('shifts weights from the blue service to the green one without failed requests', async () => {
    const blue = await createGroup(elb, 'bg-blue', { intervalSeconds: 10 });
    const green = await createGroup(elb, 'bg-green', { intervalSeconds: 10 });
    const { listenerArn } = await createAlb(elb, 'bg', [blue, green], [100, 0]);
    for (const [color, group, image] of [
      ['blue', blue, 'web:v1'],
      ['green', green, 'web:v2'],
    ] as const) {
      await createSteadyService(sim, ecs, {
        cluster: 'prod',
        service: `web-${color}`,
        taskDefinition: await registerWeb(ecs, `web-${color}`, image),
        desiredCount: 2,
        loadBalancers: [{ targetGroupArn: group, containerName: 'web', containerPort: 8080 }],
      });
    }
    await waitForState(elb, blue, 'healthy');
    await waitForState(elb, green, 'healthy');

    const traffic = startTraffic(sim.elb.listenerUrl(listenerArn), 40);
    traffic.phase = '100/0';
    await sleep(500);
    for (const [b, g] of [
      [50, 50],
      [0, 100],
    ] as const) {
      await elb.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: blue, Weight: b },
                  { TargetGroupArn: green, Weight: g },
                ],
              },
            },
          ],
        }),
      );
      traffic.phase = `${b}/${g}`;
      await sleep(500);
    }
    const records = await traffic.stop();
    expect(records.filter((r) => r.status !== 200)).toEqual([]);
    const versions = (phase: string) =>
      new Set(inPhase(records, phase).map((r) => (JSON.parse(r.body) as { version: string }).version));
    expect(versions('100/0')).toEqual(new Set(['v1']));
    expect(versions('50/50')).toEqual(new Set(['v1', 'v2']));
    expect(versions('0/100')).toEqual(new Set(['v2']));
  });
});
