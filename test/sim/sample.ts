/**
 * A sample environment built the way a user's infrastructure code would build it: through the
 * AWS SDK against the simulator. Used by `npm run sim`, the demo and scenario tests.
 *
 * - cluster `demo`; ECR repository `web` with images `v1`, `v2`, `v3`, `crash`, `unhealthy`;
 * - an ALB with a production listener (forwarding to target group `web`) and target groups
 *   `web-blue` / `web-green` behind a second production listener and a test listener;
 * - task definition family `web` (one container `web` on port 8080) and service `web` running
 *   v1 behind the production listener, two tasks;
 * - CloudWatch alarm `web-5xx` on the target group's 5xx count.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  PutAccountSettingCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Simulator } from './index.js';

export interface SampleEnvironment {
  cluster: string;
  service: string;
  repositoryUri: string;
  images: Record<'v1' | 'v2' | 'v3' | 'crash' | 'unhealthy', string>;
  loadBalancerArn: string;
  /** Production listener of the rolling service `web`. */
  listenerArn: string;
  listenerUrl: string;
  targetGroupArn: string;
  /** Blue-green wiring: a production listener forwarding to blue (100) and green (0), and a test listener to green. */
  blueGreen: {
    listenerArn: string;
    listenerUrl: string;
    testListenerArn: string;
    testListenerUrl: string;
    blueTargetGroupArn: string;
    greenTargetGroupArn: string;
  };
  alarmName: string;
  taskDefinitionArn: string;
}

function clients(sim: Simulator) {
  const config = {
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' },
  };
  return {
    ecs: new ECSClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    cw: new CloudWatchClient(config),
  };
}

/** An IP target group on port 8080 with quick health checks (10 s, 2 × healthy / unhealthy) and the given deregistration delay. */
export async function createTargetGroup(
  elb: ElasticLoadBalancingV2Client,
  name: string,
  deregistrationDelaySeconds: number,
): Promise<string> {
  const out = await elb.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      TargetType: 'ip',
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
    }),
  );
  const arn = out.TargetGroups![0]!.TargetGroupArn!;
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [
        { Key: 'deregistration_delay.timeout_seconds', Value: String(deregistrationDelaySeconds) },
      ],
    }),
  );
  return arn;
}

/** An HTTP listener whose default action forwards to `groups` with their weights. */
export async function createForwardListener(
  elb: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
  port: number,
  groups: [string, number][],
): Promise<string> {
  const out = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: port,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })),
          },
        },
      ],
    }),
  );
  return out.Listeners![0]!.ListenerArn!;
}

export async function buildSampleEnvironment(
  sim: Simulator,
  options: {
    desiredCount?: number;
    deregistrationDelaySeconds?: number;
    /** Create `web` with the old short ARN (as services made before the long format was the default): it cannot be tagged. */
    shortServiceArn?: boolean;
  } = {},
): Promise<SampleEnvironment> {
  const { ecs, elb, cw } = clients(sim);
  try {
    const pushed = Object.fromEntries(
      (['v1', 'v2', 'v3', 'crash', 'unhealthy'] as const).map((tag) => [tag, sim.ecr.putImage('web', tag)]),
    ) as Record<'v1' | 'v2' | 'v3' | 'crash' | 'unhealthy', ReturnType<Simulator['ecr']['putImage']>>;
    const repositoryUri = pushed.v1.repositoryUri;
    const images = Object.fromEntries(
      Object.keys(pushed).map((tag) => [tag, `${repositoryUri}:${tag}`]),
    ) as SampleEnvironment['images'];

    await ecs.send(new CreateClusterCommand({ clusterName: 'demo' }));
    const lb = await elb.send(
      new CreateLoadBalancerCommand({
        Name: 'demo',
        Subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
      }),
    );
    const loadBalancerArn = lb.LoadBalancers![0]!.LoadBalancerArn!;
    const delay = options.deregistrationDelaySeconds ?? 30;
    const targetGroupArn = await createTargetGroup(elb, 'web', delay);
    const blueTargetGroupArn = await createTargetGroup(elb, 'web-blue', delay);
    const greenTargetGroupArn = await createTargetGroup(elb, 'web-green', delay);
    const listenerArn = await createForwardListener(elb, loadBalancerArn, 80, [[targetGroupArn, 1]]);
    const bgListenerArn = await createForwardListener(elb, loadBalancerArn, 8080, [
      [blueTargetGroupArn, 100],
      [greenTargetGroupArn, 0],
    ]);
    const testListenerArn = await createForwardListener(elb, loadBalancerArn, 8443, [
      [greenTargetGroupArn, 1],
    ]);

    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'web',
            image: `${repositoryUri}@${pushed.v1.digest}`,
            essential: true,
            portMappings: [{ containerPort: 8080 }],
          },
        ],
      }),
    );
    const taskDefinitionArn = td.taskDefinition!.taskDefinitionArn!;
    const arnFormat = (value: 'enabled' | 'disabled') =>
      ecs.send(new PutAccountSettingCommand({ name: 'serviceLongArnFormat', value }));
    if (options.shortServiceArn) await arnFormat('disabled');
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'demo',
        serviceName: 'web',
        taskDefinition: taskDefinitionArn,
        desiredCount: options.desiredCount ?? 2,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
        },
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 8080 }],
        healthCheckGracePeriodSeconds: 30,
        deploymentConfiguration: {
          minimumHealthyPercent: 100,
          maximumPercent: 200,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
      }),
    );
    if (options.shortServiceArn) await arnFormat('enabled');
    const alarmName = 'web-5xx';
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: alarmName,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [
          { Name: 'LoadBalancer', Value: loadBalancerArn.slice(loadBalancerArn.indexOf('app/')) },
          { Name: 'TargetGroup', Value: targetGroupArn.slice(targetGroupArn.indexOf('targetgroup/')) },
        ],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    await sim.ecs.waitForSteady('demo', 'web', { timeoutMs: 60_000 });
    return {
      cluster: 'demo',
      service: 'web',
      repositoryUri,
      images,
      loadBalancerArn,
      listenerArn,
      listenerUrl: sim.elb.listenerUrl(listenerArn),
      targetGroupArn,
      blueGreen: {
        listenerArn: bgListenerArn,
        listenerUrl: sim.elb.listenerUrl(bgListenerArn),
        testListenerArn,
        testListenerUrl: sim.elb.listenerUrl(testListenerArn),
        blueTargetGroupArn,
        greenTargetGroupArn,
      },
      alarmName,
      taskDefinitionArn,
    };
  } finally {
    ecs.destroy();
    elb.destroy();
    cw.destroy();
  }
}
