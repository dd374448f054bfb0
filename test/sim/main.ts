/**
 * `npm run sim`: the simulator as a standalone process with the sample environment, printing
 * the variables that point the action (or the AWS CLI) at it. Stops on Ctrl-C.
 *   npm run sim -- --port 4566 --time-scale 60
 */
import { parseArgs } from 'node:util';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { clientConfig } from './ecs/testing.js';
import { Simulator } from './index.js';
import { buildSampleEnvironment } from './sample.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '4566' }, 'time-scale': { type: 'string', default: '60' } },
});
const sim = await Simulator.start({ port: Number(values.port), timeScale: Number(values['time-scale']) });
// Clients pick metric windows from the wall clock, as on AWS.
sim.cloudwatch.queryWindowClock = 'wall';
process.stdout.write(
  `Simulator listening on ${sim.endpoint} (time scale ${sim.clock.scale}x); building the sample environment…\n`,
);
const env = await buildSampleEnvironment(sim);

// Previews share one listener that answers 404 unless a pull request's rule matches its host.
const elb = new ElasticLoadBalancingV2Client(clientConfig(sim, 3));
const previewListenerArn = (
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: env.loadBalancerArn,
      Protocol: 'HTTP',
      Port: 8000,
      DefaultActions: [
        {
          Type: 'fixed-response',
          FixedResponseConfig: {
            StatusCode: '404',
            ContentType: 'text/plain',
            MessageBody: 'no preview here',
          },
        },
      ],
    }),
  )
).Listeners![0]!.ListenerArn!;
// A listener's default rule cannot be modified (ModifyListener changes it), so the rule a user
// can hand to `test-listener` instead of a second listener is a header rule on production.
const bg = env.blueGreen;
const testRuleArn = (
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: bg.listenerArn,
      Priority: 10,
      Conditions: [
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Test', Values: ['idle'] } },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: bg.greenTargetGroupArn }],
    }),
  )
).Rules![0]!.RuleArn!;
elb.destroy();

// The AWS CLI reads AWS_DEFAULT_REGION; the SDKs read AWS_REGION.
const variables = { ...sim.env(), AWS_DEFAULT_REGION: sim.env().AWS_REGION };
const lines = Object.entries(variables).map(([k, v]) => `export ${k}=${v}`);
process.stdout.write(`
Point the action or the AWS CLI at it:

${lines.join('\n')}

Sample environment:
  cluster ${env.cluster}, service ${env.service} (2 tasks of ${env.taskDefinitionArn})
  production listener  ${env.listenerUrl}   (curl it: every task answers its version)
    listener           ${env.listenerArn}
    target group       ${env.targetGroupArn}
  images               ${Object.values(env.images).join('\n                       ')}
  alarm                ${env.alarmName}

Blue-green (strategy: blue-green; create a service on the blue target group first):
  listener             ${bg.listenerArn}   (${bg.listenerUrl})
  test-listener        ${bg.testListenerArn}   (${bg.testListenerUrl})
    or the rule        ${testRuleArn}
                       (on the production listener, matches header X-Test: idle)
  test-url             ${bg.testListenerUrl}
  blue-target-group    ${bg.blueTargetGroupArn}
  green-target-group   ${bg.greenTargetGroupArn}

Previews (command: preview-up / preview-down / preview-sweep):
  preview-listener     ${previewListenerArn}
  preview-test-url     ${sim.elb.listenerUrl(previewListenerArn)}   (send Host: pr-<n>.<preview-domain>)

Try:  aws ecs describe-services --cluster demo --services web
Ctrl-C stops the simulator.
`);

const stop = async () => {
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
