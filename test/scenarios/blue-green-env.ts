/**
 * A blue-green environment built the way a user's infrastructure code would: through the AWS
 * SDK against the simulator. Two ECS services `<name>-blue` (live, v1) and `<name>-green`
 * (idle, 0 tasks), each attached to its own target group; a production listener forwarding
 * blue 100 / green 0; a test listener; an alarm the action watches. Plus the client traffic
 * every scenario runs through the production listener, and helpers to read the outcome.
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateLoadBalancerCommand,
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RunOptions } from '../harness/run-action.js';
import { clientConfig } from '../sim/ecs/testing.js';
import { startTraffic, type Traffic, type TrafficRecord } from '../sim/elb/testing.js';
import type { Simulator } from '../sim/index.js';
import { createForwardListener, createTargetGroup } from '../sim/sample.js';

export interface BlueGreenEnv {
  name: string;
  cluster: string;
  repositoryUri: string;
  listenerArn: string;
  testListenerArn: string;
  testUrl: string;
  productionUrl: string;
  blueTargetGroupArn: string;
  greenTargetGroupArn: string;
  alarmName: string;
  /**
   * `route-settle` as a user of this load balancer would set it: its listener propagation delay
   * (simulated, so a few wall milliseconds at the scenarios' time scales) and a margin.
   */
  routeSettle: string;
  clients: {
    ecs: ECSClient;
    elb: ElasticLoadBalancingV2Client;
    cloudwatch: CloudWatchClient;
    autoscaling: ApplicationAutoScalingClient;
  };
  destroy(): void;
}

let lbCounter = 0;

export async function buildBlueGreen(
  sim: Simulator,
  name: string,
  options: { desiredCount?: number; autoscaling?: boolean; withoutGreen?: boolean; awslogs?: boolean } = {},
): Promise<BlueGreenEnv> {
  const config = clientConfig(sim, 3);
  const ecs = new ECSClient(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  const cloudwatch = new CloudWatchClient(config);
  const autoscaling = new ApplicationAutoScalingClient(config);
  const repositoryUri = sim.ecr.putImage(name, 'v1').repositoryUri;
  for (const tag of ['v2', 'unhealthy', 'crash', '5xx']) sim.ecr.putImage(name, tag);

  const cluster = name;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const lb = await elb.send(
    new CreateLoadBalancerCommand({
      Name: `${name}-${++lbCounter}`,
      Subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
    }),
  );
  const loadBalancerArn = lb.LoadBalancers![0]!.LoadBalancerArn!;
  const blueTargetGroupArn = await createTargetGroup(elb, `${name}-blue`, 1);
  const greenTargetGroupArn = await createTargetGroup(elb, `${name}-green`, 1);
  const listener = (port: number, weights: [string, number][]) =>
    createForwardListener(elb, loadBalancerArn, port, weights);
  const listenerArn = await listener(80, [
    [blueTargetGroupArn, 100],
    [greenTargetGroupArn, 0],
  ]);
  const testListenerArn = await listener(8443, [[greenTargetGroupArn, 1]]);

  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: name,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: `${repositoryUri}:v1`,
          essential: true,
          portMappings: [{ containerPort: 8080 }],
          ...(options.awslogs
            ? {
                logConfiguration: {
                  logDriver: 'awslogs',
                  options: {
                    'awslogs-group': `/ecs/${name}`,
                    'awslogs-region': 'us-east-1',
                    'awslogs-stream-prefix': name,
                  },
                },
              }
            : {}),
        },
      ],
    }),
  );
  if (options.awslogs) sim.logs.ensureLogGroup(`/ecs/${name}`);
  const desired = options.desiredCount ?? 2;
  const sides = [
    ['blue', blueTargetGroupArn, desired],
    ['green', greenTargetGroupArn, 0],
  ] as const;
  for (const [color, tg, count] of options.withoutGreen ? sides.slice(0, 1) : sides) {
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: `${name}-${color}`,
        taskDefinition: td.taskDefinition!.taskDefinitionArn!,
        desiredCount: count,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
        },
        loadBalancers: [{ targetGroupArn: tg, containerName: 'web', containerPort: 8080 }],
        healthCheckGracePeriodSeconds: 30,
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
        tags: [{ key: 'team', value: 'checkout' }],
      }),
    );
  }
  if (options.autoscaling) {
    const key = (color: string) => ({
      ServiceNamespace: 'ecs' as const,
      ResourceId: `service/${cluster}/${name}-${color}`,
      ScalableDimension: 'ecs:service:DesiredCount' as const,
    });
    await autoscaling.send(
      new RegisterScalableTargetCommand({ ...key('blue'), MinCapacity: desired, MaxCapacity: 6 }),
    );
    await autoscaling.send(
      new PutScalingPolicyCommand({
        ...key('blue'),
        PolicyName: 'cpu70',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 70,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        },
      }),
    );
    await autoscaling.send(
      new RegisterScalableTargetCommand({ ...key('green'), MinCapacity: 0, MaxCapacity: 0 }),
    );
  }
  const alarmName = `${name}-5xx`;
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: alarmName,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Dimensions: [{ Name: 'LoadBalancer', Value: loadBalancerArn.slice(loadBalancerArn.indexOf('app/')) }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    }),
  );
  await sim.ecs.waitForSteady(cluster, `${name}-blue`, { timeoutMs: 30_000 });
  return {
    name,
    cluster,
    repositoryUri,
    listenerArn,
    testListenerArn,
    testUrl: sim.elb.listenerUrl(testListenerArn),
    productionUrl: sim.elb.listenerUrl(listenerArn),
    blueTargetGroupArn,
    greenTargetGroupArn,
    alarmName,
    routeSettle: `${Math.ceil(sim.clock.toWall(sim.elb.propagationDelayMs)) + 50}ms`,
    clients: { ecs, elb, cloudwatch, autoscaling },
    destroy() {
      ecs.destroy();
      elb.destroy();
      cloudwatch.destroy();
      autoscaling.destroy();
    },
  };
}

/** Inputs of a blue-green release of `image` with short, test-sized durations. */
export function releaseInputs(
  env: BlueGreenEnv,
  tag: string,
  extra: RunOptions['inputs'] = {},
): RunOptions['inputs'] {
  return {
    command: 'deploy',
    strategy: 'blue-green',
    cluster: env.cluster,
    service: env.name,
    images: `${env.repositoryUri}:${tag}`,
    listener: env.listenerArn,
    'test-listener': env.testListenerArn,
    'test-url': env.testUrl,
    'smoke-tests': `GET / 200 json:version=${tag} retries:2 retry-delay:100ms`,
    alarms: env.alarmName,
    'traffic-steps': 'all-at-once',
    'step-pause': '1s',
    'bake-time': '1s',
    'poll-interval': '100ms',
    // Long enough for a closed minute to be published at the scenarios' time scales (60 and
    // up: five simulated minutes or more); the default, 5m, is for AWS's real clock.
    'metric-wait': '5s',
    'route-settle': env.routeSettle,
    timeout: '60s',
    ...extra,
  };
}

/** Steady client traffic through the production listener; `stop()` returns every reply. */
export function productionTraffic(env: BlueGreenEnv): Traffic {
  return startTraffic(env.productionUrl, 40);
}

export function failedRequests(records: TrafficRecord[]): TrafficRecord[] {
  return records.filter((r) => r.status !== 200 || r.error);
}

export function versionOf(r: TrafficRecord): string {
  try {
    return (JSON.parse(r.body) as { version: string }).version;
  } catch {
    return `?${r.body.slice(0, 40)}`;
  }
}

/** Versions served, in order of first appearance. */
export function versionsServed(records: TrafficRecord[]): string[] {
  return [...new Set(records.filter((r) => r.status === 200).map(versionOf))];
}

export async function productionWeights(env: BlueGreenEnv): Promise<{ blue: number; green: number }> {
  const out = await env.clients.elb.send(new DescribeListenersCommand({ ListenerArns: [env.listenerArn] }));
  const groups = out.Listeners![0]!.DefaultActions![0]!.ForwardConfig!.TargetGroups!;
  const weight = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight ?? 0;
  return { blue: weight(env.blueTargetGroupArn), green: weight(env.greenTargetGroupArn) };
}

export async function desiredCounts(env: BlueGreenEnv): Promise<{ blue: number; green: number }> {
  const out = await env.clients.ecs.send(
    new DescribeServicesCommand({
      cluster: env.cluster,
      services: [`${env.name}-blue`, `${env.name}-green`],
    }),
  );
  const count = (color: string) =>
    out.services!.find((s) => s.serviceName === `${env.name}-${color}`)!.desiredCount!;
  return { blue: count('blue'), green: count('green') };
}

export async function scalableBounds(
  env: BlueGreenEnv,
  color: string,
): Promise<{ min?: number; max?: number }> {
  const out = await env.clients.autoscaling.send(
    new DescribeScalableTargetsCommand({
      ServiceNamespace: 'ecs',
      ResourceIds: [`service/${env.cluster}/${env.name}-${color}`],
    }),
  );
  const t = out.ScalableTargets?.[0];
  return { min: t?.MinCapacity, max: t?.MaxCapacity };
}

/** The user's step policy `queue-step` (one more task per breach) on one side; returns its ARN. */
export async function putQueueStepPolicy(env: BlueGreenEnv, color: string): Promise<string> {
  const out = await env.clients.autoscaling.send(
    new PutScalingPolicyCommand({
      ServiceNamespace: 'ecs',
      ResourceId: `service/${env.cluster}/${env.name}-${color}`,
      ScalableDimension: 'ecs:service:DesiredCount',
      PolicyName: 'queue-step',
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: {
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      },
    }),
  );
  return out.PolicyARN!;
}

/**
 * The user's alarm on one side's CPU (above 80 % for 3 minutes) that runs `actions`, such as
 * that side's step policy; `extra` adds or overrides fields of the alarm.
 */
export async function putCpuAlarm(
  env: BlueGreenEnv,
  options: {
    alarmName: string;
    color: string;
    actions: string[];
    extra?: Partial<PutMetricAlarmCommandInput>;
  },
): Promise<void> {
  await env.clients.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: options.alarmName,
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Dimensions: [
        { Name: 'ClusterName', Value: env.cluster },
        { Name: 'ServiceName', Value: `${env.name}-${options.color}` },
      ],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 80,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: options.actions,
      ...options.extra,
    }),
  );
}

export async function setAlarm(env: BlueGreenEnv, state: 'ALARM' | 'OK', reason: string): Promise<void> {
  await env.clients.cloudwatch.send(
    new SetAlarmStateCommand({ AlarmName: env.alarmName, StateValue: state, StateReason: reason }),
  );
}
