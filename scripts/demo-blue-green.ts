/**
 * The blue-green half of `npm run demo`: on the sample environment's blue-green listener, a
 * user's single service `web-blue` on v1; a canary release of v2 (the first one also creates
 * `web-green` from `web-blue`), then a release whose smoke test fails and is rolled back before
 * production sees it, with client traffic through the production listener all along.
 */
import { CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { runAction } from '../test/harness/run-action.js';
import { startTraffic, tally } from '../test/sim/elb/testing.js';
import type { Simulator } from '../test/sim/index.js';
import type { SampleEnvironment } from '../test/sim/sample.js';
import type { Show } from './demo-show.js';

export async function demoBlueGreen(sim: Simulator, env: SampleEnvironment, show: Show): Promise<void> {
  const config = {
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' },
  };
  const ecs = new ECSClient(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  const bg = env.blueGreen;
  try {
    // The user's infrastructure: one service on the blue target group, short connection draining.
    for (const tg of [bg.blueTargetGroupArn, bg.greenTargetGroupArn]) {
      await elb.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tg,
          Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }],
        }),
      );
    }
    await ecs.send(
      new CreateServiceCommand({
        cluster: env.cluster,
        serviceName: 'web-blue',
        taskDefinition: env.taskDefinitionArn,
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
        },
        loadBalancers: [{ targetGroupArn: bg.blueTargetGroupArn, containerName: 'web', containerPort: 8080 }],
        healthCheckGracePeriodSeconds: 30,
      }),
    );
    await sim.ecs.waitForSteady(env.cluster, 'web-blue', { timeoutMs: 60_000 });
    // A build that answers 500 on /api: healthy to the load balancer, caught by a smoke test.
    sim.ecr.putImage('web', '5xx');

    const traffic = startTraffic(bg.listenerUrl, 20);
    const base = {
      command: 'deploy',
      strategy: 'blue-green',
      cluster: env.cluster,
      service: 'web',
      listener: bg.listenerArn,
      'test-listener': bg.testListenerArn,
      'test-url': bg.testListenerUrl,
      alarms: env.alarmName,
      'poll-interval': '250ms',
      timeout: '5m',
      // The simulator's listener changes route 5 simulated seconds later: 1 s is 2 minutes here.
      'route-settle': '1s',
    };
    const canary = await runAction({
      inputs: {
        ...base,
        images: `web=${env.images.v2}`,
        'smoke-tests': 'GET / 200 json:version=v2 max-latency:500ms',
        'traffic-steps': 'canary 10%',
        'step-pause': '3s',
        'bake-time': '3s',
      },
      env: sim.env(),
      post: true,
    });
    show('Blue-green canary release of v2 (creates web-green on the first run)', canary, 'succeeded');

    const broken = await runAction({
      inputs: {
        ...base,
        images: `web=${env.repositoryUri}:5xx`,
        'smoke-tests': 'GET / 200\nGET /api/orders 200 retries:1 retry-delay:250ms',
        'bake-time': '3s',
      },
      env: sim.env(),
      post: true,
    });
    show(
      'Blue-green release whose smoke test fails (rolled back before production sees it)',
      broken,
      'rolled-back',
    );

    const records = await traffic.stop();
    console.log('\nClient traffic through the blue-green production listener during both releases');
    console.log(tally(records));
  } finally {
    ecs.destroy();
    elb.destroy();
  }
}
