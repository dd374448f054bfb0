/**
 * Infrastructure for ECS-native blue/green tests, built through the SDK as a user's
 * infrastructure code would: two target groups, a production listener and a test listener
 * (each with a forward-only rule over both groups, blue weight 1 and green 0, and a 404 fixed
 * response as default action), and an infrastructure role ARN.
 */
import type { DeploymentConfiguration, ECSClient, LoadBalancer } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createGroup } from '../elb/testing.js';
import type { Simulator } from '../index.js';
import { createSteadyService, registerWeb } from './testing.js';

export interface NativeInfra {
  loadBalancerArn: string;
  blueGroup: string;
  greenGroup: string;
  productionListener: string;
  testListener: string;
  productionRule: string;
  testRule: string;
  roleArn: string;
}

export const INFRASTRUCTURE_ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers';

async function listenerWithRule(
  elb: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
  port: number,
  groups: [string, string],
): Promise<{ listenerArn: string; ruleArn: string }> {
  const listener = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: port,
      DefaultActions: [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
      ],
    }),
  );
  const listenerArn = listener.Listeners?.[0]?.ListenerArn ?? '';
  const rule = await elb.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: groups[0], Weight: 1 },
              { TargetGroupArn: groups[1], Weight: 0 },
            ],
          },
        },
      ],
    }),
  );
  return { listenerArn, ruleArn: rule.Rules?.[0]?.RuleArn ?? '' };
}

export async function createNativeInfra(
  elb: ElasticLoadBalancingV2Client,
  name: string,
  options: { intervalSeconds?: number } = {},
): Promise<NativeInfra> {
  const blueGroup = await createGroup(elb, `${name}-a`, { intervalSeconds: options.intervalSeconds ?? 10 });
  const greenGroup = await createGroup(elb, `${name}-b`, { intervalSeconds: options.intervalSeconds ?? 10 });
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: ['subnet-1', 'subnet-2'] }));
  const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const prod = await listenerWithRule(elb, loadBalancerArn, 80, [blueGroup, greenGroup]);
  const test = await listenerWithRule(elb, loadBalancerArn, 8443, [blueGroup, greenGroup]);
  return {
    loadBalancerArn,
    blueGroup,
    greenGroup,
    productionListener: prod.listenerArn,
    testListener: test.listenerArn,
    productionRule: prod.ruleArn,
    testRule: test.ruleArn,
    roleArn: INFRASTRUCTURE_ROLE,
  };
}

/** The service's load balancer entry with ECS-native advanced configuration. */
export function nativeLoadBalancer(infra: NativeInfra): LoadBalancer {
  return {
    targetGroupArn: infra.blueGroup,
    containerName: 'web',
    containerPort: 8080,
    advancedConfiguration: {
      alternateTargetGroupArn: infra.greenGroup,
      productionListenerRule: infra.productionRule,
      testListenerRule: infra.testRule,
      roleArn: infra.roleArn,
    },
  };
}

/** A steady service on `image` with a native strategy (default BLUE_GREEN, bake 0). */
export async function createNativeService(
  sim: Simulator,
  ecs: ECSClient,
  infra: NativeInfra,
  options: {
    cluster: string;
    service: string;
    image: string;
    desiredCount?: number;
    deploymentConfiguration?: DeploymentConfiguration;
  },
): Promise<string> {
  const taskDefinition = await registerWeb(ecs, options.service, options.image);
  await createSteadyService(sim, ecs, {
    cluster: options.cluster,
    service: options.service,
    taskDefinition,
    desiredCount: options.desiredCount ?? 2,
    deploymentConfiguration: options.deploymentConfiguration ?? {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
    },
    loadBalancers: [nativeLoadBalancer(infra)],
  });
  return taskDefinition;
}
