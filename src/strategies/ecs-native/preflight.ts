/**
 * Pre-flight of an ECS-native release: read the service, its listener rules and target groups,
 * and refuse — before any change, with what to fix — unless ECS can run a blue/green deployment
 * on them: the ECS deployment controller; one load balancer entry whose alternate target group,
 * production and test listener rules and infrastructure role are set (on the service or in the
 * inputs) and wired as ECS needs (forward-only rules over exactly the two groups, both groups on
 * the production rule's load balancer); no service deployment in progress.
 */
import {
  type DeploymentConfiguration,
  DescribeServicesCommand,
  type LoadBalancer,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { loadBalancerOfRule, targetGroupName } from '../../aws/arn.js';
import type { AwsClients } from '../../aws/clients.js';
import { newestServiceDeployment } from '../../aws/service-deployments.js';
import type { NativeSettings } from '../../settings/native.js';
import { isOurHook } from './configuration.js';
import { RefusedError } from './errors.js';

export interface NativeSetup {
  cluster: string;
  service: Service;
  serviceArn: string;
  /** The service's only load balancer entry, with the advanced configuration to deploy with. */
  loadBalancer: LoadBalancer;
  productionRule: string;
  testRule?: string;
  /** The group production is served from now, and the one the new revision starts in. */
  liveGroup: string;
  newGroup: string;
  taskDefinition: string;
  desiredCount: number;
  deploymentConfiguration: DeploymentConfiguration;
}

const refuse = (what: string) => new RefusedError(`${what} Nothing was changed.`);

export { loadBalancerOfRule };

function forwarded(rule: Rule): { arn: string; weight: number }[] {
  return (rule.Actions ?? []).flatMap((a) =>
    a.ForwardConfig?.TargetGroups?.length
      ? a.ForwardConfig.TargetGroups.map((t) => ({ arn: t.TargetGroupArn ?? '', weight: t.Weight ?? 1 }))
      : a.TargetGroupArn
        ? [{ arn: a.TargetGroupArn, weight: 1 }]
        : [],
  );
}

export async function readNativeSetup(
  clients: AwsClients,
  cluster: string,
  native: NativeSettings,
): Promise<NativeSetup> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [native.service] }));
  const service = out.services?.find((s) => s.status === 'ACTIVE');
  if (!service?.serviceArn)
    throw refuse(`Service ${native.service} was not found (or is not ACTIVE) in cluster ${cluster}.`);
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS') {
    throw refuse(
      `Service ${native.service} uses the ${controller} deployment controller; ECS-native blue/green needs the ECS controller. Recreate the service with deploymentController ECS (or use strategy "blue-green").`,
    );
  }
  const lbs = service.loadBalancers ?? [];
  if (lbs.length !== 1 || !lbs[0]?.targetGroupArn) {
    throw refuse(
      `Service ${native.service} has ${lbs.length} load balancer entries; ECS-native releases of this action need exactly one with a target group.`,
    );
  }
  const lb = lbs[0];
  const current = lb.advancedConfiguration ?? {};
  const adv = {
    alternateTargetGroupArn: native.alternateTargetGroup ?? current.alternateTargetGroupArn,
    productionListenerRule: native.productionListenerRule ?? current.productionListenerRule,
    testListenerRule: native.testListenerRule ?? current.testListenerRule,
    roleArn: native.infrastructureRole ?? current.roleArn,
  };
  const missing = [
    !adv.alternateTargetGroupArn && '"alternate-target-group" (the second target group)',
    !adv.productionListenerRule && '"listener" (the production listener rule ARN)',
    !adv.roleArn && '"infrastructure-role" (the role ECS assumes to change the rules)',
  ].filter(Boolean);
  if (missing.length) {
    throw refuse(
      `Service ${native.service} has no ECS blue/green load-balancer configuration yet. Set ${missing.join(', ')}.`,
    );
  }
  if ((native.smokeTests.length || native.smokeCommand) && !adv.testListenerRule) {
    throw refuse(
      'Smoke tests need a test listener rule: set "test-listener" to the rule ARN that "test-url" reaches.',
    );
  }
  const primary = lb.targetGroupArn ?? '';
  const alternate = adv.alternateTargetGroupArn!;
  if (alternate === primary) {
    throw refuse(
      `"alternate-target-group" is the service's own target group ${primary}; it must be a second group.`,
    );
  }

  const ruleArns = [adv.productionListenerRule!, ...(adv.testListenerRule ? [adv.testListenerRule] : [])];
  const rules = await clients.elb
    .send(new DescribeRulesCommand({ RuleArns: ruleArns }))
    .catch((err: Error) => {
      throw refuse(
        `Reading the listener rules ${ruleArns.join(', ')}: ${err.name}: ${err.message}. Check "listener" and "test-listener".`,
      );
    });
  const groups = [primary, alternate];
  for (const [role, arn] of [
    ['production', adv.productionListenerRule!],
    ['test', adv.testListenerRule],
  ] as const) {
    if (!arn) continue;
    const rule = rules.Rules?.find((r) => r.RuleArn === arn);
    if (!rule) throw refuse(`The ${role} listener rule ${arn} does not exist.`);
    const other = (rule.Actions ?? []).find((a) => a.Type !== 'forward');
    if (other) {
      throw refuse(
        `The ${role} listener rule ${arn} has a ${other.Type} action; ECS shifts only forward-only rules. Make its only action a forward to ${primary} and ${alternate}.`,
      );
    }
    const stray = forwarded(rule).find((t) => !groups.includes(t.arn));
    if (stray) {
      throw refuse(
        `The ${role} listener rule ${arn} forwards to ${stray.arn}, which is neither the service's target group nor "alternate-target-group". Make it forward to ${primary} (weight 1) and ${alternate} (weight 0).`,
      );
    }
  }
  const tgs = await clients.elb
    .send(new DescribeTargetGroupsCommand({ TargetGroupArns: groups }))
    .catch((err: Error) => {
      throw refuse(
        `The alternate target group ${alternate} cannot be read (${err.name}: ${err.message}). Check "alternate-target-group".`,
      );
    });
  const lbArn = loadBalancerOfRule(adv.productionListenerRule!);
  for (const arn of groups) {
    const tg = tgs.TargetGroups?.find((t) => t.TargetGroupArn === arn);
    if (!tg) throw refuse(`Target group ${arn} does not exist. Check "alternate-target-group".`);
    const attached = tg.LoadBalancerArns ?? [];
    if (attached.length === 0) {
      throw refuse(
        `Target group ${arn} is not attached to any load balancer; ECS can only start tasks in an attached group. Add it to the production listener rule's forward action with weight 0.`,
      );
    }
    if (lbArn && attached.some((a) => a !== lbArn)) {
      throw refuse(
        `Target group ${arn} is attached to ${attached.filter((a) => a !== lbArn).join(', ')}, not only to the production rule's load balancer ${lbArn}. ECS puts both groups into the production rule: use a group of that load balancer.`,
      );
    }
  }

  const production = rules.Rules!.find((r) => r.RuleArn === adv.productionListenerRule)!;
  const weighted = forwarded(production).filter((t) => t.weight > 0);
  if (weighted.length !== 1) {
    throw refuse(
      `The production listener rule splits traffic (${forwarded(production)
        .map((t) => `${targetGroupName(t.arn)} ${t.weight}`)
        .join(', ')}): a deployment may be in progress. Let it finish or stop it first.`,
    );
  }
  const liveGroup = weighted[0]!.arn;
  const inProgress = await newestServiceDeployment(clients.ecs, cluster, native.service, [
    'IN_PROGRESS',
    'PENDING',
  ]);
  if (inProgress) {
    throw refuse(
      `A service deployment is in progress on ${native.service} (${inProgress}); let it finish or stop it first.`,
    );
  }
  const config = service.deploymentConfiguration ?? {};
  const theirPauses = (config.lifecycleHooks ?? []).filter(
    (h) =>
      !isOurHook(h) &&
      h.targetType === 'PAUSE' &&
      (h.lifecycleStages ?? []).some(
        (s) => s === 'POST_TEST_TRAFFIC_SHIFT' || s === 'PRE_PRODUCTION_TRAFFIC_SHIFT',
      ),
  );
  if (theirPauses.length) {
    throw refuse(
      'The service has its own PAUSE hook at POST_TEST_TRAFFIC_SHIFT or PRE_PRODUCTION_TRAFFIC_SHIFT, where this action pauses to test and gate; ECS cannot tell the two apart. Remove that hook (Lambda hooks are kept).',
    );
  }
  return {
    cluster,
    service,
    serviceArn: service.serviceArn,
    loadBalancer: { ...lb, advancedConfiguration: adv },
    productionRule: adv.productionListenerRule!,
    testRule: adv.testListenerRule,
    liveGroup,
    newGroup: liveGroup === primary ? alternate : primary,
    taskDefinition: service.taskDefinition ?? '',
    desiredCount: service.desiredCount ?? 0,
    deploymentConfiguration: config,
  };
}
