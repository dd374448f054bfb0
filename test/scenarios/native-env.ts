/**
 * An ECS-native blue/green environment built as a user's infrastructure code would, through the
 * SDK against the simulator: one rolling service `<name>` on v1 in target group A, a second
 * group B, a production and a test listener each with a forward-only rule over A (1) and B (0),
 * an infrastructure role, and a 5xx alarm. The first release migrates the service to
 * ECS-native blue/green (inputs name the alternate group, the rules and the role).
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RunOptions } from '../harness/run-action.js';
import { createNativeInfra, type NativeInfra } from '../sim/ecs/native-testing.js';
import { clientConfig, registerWeb } from '../sim/ecs/testing.js';
import type { Simulator } from '../sim/index.js';

export interface NativeEnv {
  name: string;
  cluster: string;
  repositoryUri: string;
  infra: NativeInfra;
  productionUrl: string;
  testUrl: string;
  alarmName: string;
  clients: { ecs: ECSClient; elb: ElasticLoadBalancingV2Client; cloudwatch: CloudWatchClient };
  destroy(): void;
}

export async function buildNative(sim: Simulator, name: string): Promise<NativeEnv> {
  const config = clientConfig(sim, 3);
  const ecs = new ECSClient(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  const cloudwatch = new CloudWatchClient(config);
  const repositoryUri = sim.ecr.putImage(name, 'v1').repositoryUri;
  for (const tag of ['v2', 'unhealthy', '5xx']) sim.ecr.putImage(name, tag);
  const infra = await createNativeInfra(elb, name);
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const taskDefinition = await registerWeb(ecs, name, `${repositoryUri}:v1`, { omitProtocol: true });
  await ecs.send(
    new CreateServiceCommand({
      cluster: name,
      serviceName: name,
      taskDefinition,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
      },
      loadBalancers: [{ targetGroupArn: infra.blueGroup, containerName: 'web', containerPort: 8080 }],
      healthCheckGracePeriodSeconds: 30,
    }),
  );
  const alarmName = `${name}-5xx`;
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: alarmName,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Dimensions: [
        { Name: 'LoadBalancer', Value: infra.loadBalancerArn.slice(infra.loadBalancerArn.indexOf('app/')) },
      ],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    }),
  );
  await sim.ecs.waitForSteady(name, name, { timeoutMs: 30_000 });
  return {
    name,
    cluster: name,
    repositoryUri,
    infra,
    productionUrl: sim.elb.listenerUrl(infra.productionListener),
    testUrl: sim.elb.listenerUrl(infra.testListener),
    alarmName,
    clients: { ecs, elb, cloudwatch },
    destroy() {
      ecs.destroy();
      elb.destroy();
      cloudwatch.destroy();
    },
  };
}

/** Inputs of an ECS-native release of `tag` with test-sized durations (a canary by default). */
export function nativeInputs(
  env: NativeEnv,
  tag: string,
  extra: RunOptions['inputs'] = {},
): RunOptions['inputs'] {
  return {
    command: 'deploy',
    strategy: 'ecs-blue-green',
    cluster: env.cluster,
    service: env.name,
    images: `${env.repositoryUri}:${tag}`,
    listener: env.infra.productionRule,
    'test-listener': env.infra.testRule,
    'alternate-target-group': env.infra.greenGroup,
    'infrastructure-role': env.infra.roleArn,
    'test-url': env.testUrl,
    'smoke-tests': `GET / 200 json:version=${tag} retries:2 retry-delay:100ms`,
    alarms: env.alarmName,
    'traffic-steps': 'canary 10%',
    'step-pause': '1s',
    'bake-time': '1s',
    'poll-interval': '100ms',
    // Also the pause hook's timeout, which ECS counts in simulated minutes: 6 h is 36 s here.
    timeout: '6h',
    ...extra,
  };
}

/** The production rule's weights as ECS wrote them (Describe shows changes at once). */
export function productionWeights(sim: Simulator, env: NativeEnv): { a: number; b: number } {
  const groups = sim.elb.rules.get(env.infra.productionRule)?.actions[0]?.ForwardConfig?.TargetGroups ?? [];
  const w = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight ?? 0;
  return { a: w(env.infra.blueGroup), b: w(env.infra.greenGroup) };
}

export async function liveTaskDefinition(env: NativeEnv): Promise<string> {
  const out = await env.clients.ecs.send(
    new DescribeServicesCommand({ cluster: env.cluster, services: [env.name] }),
  );
  return out.services?.[0]?.taskDefinition ?? '';
}
