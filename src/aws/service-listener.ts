/**
 * The listener in front of a service, for its release lock: the service's first target group,
 * that group's load balancer, and of its listeners the one whose default action forwards to the
 * group (else the one on the lowest port). Every run picks the same one for the same service.
 */
import type { Service } from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  paginateDescribeListeners,
} from '@aws-sdk/client-elastic-load-balancing-v2';

function forwardsTo(listener: Listener, targetGroupArn: string): boolean {
  return (listener.DefaultActions ?? []).some(
    (a) =>
      a.TargetGroupArn === targetGroupArn ||
      (a.ForwardConfig?.TargetGroups ?? []).some((g) => g.TargetGroupArn === targetGroupArn),
  );
}

/** Undefined for a service behind no load balancer (nothing to lock on: see the README). */
export async function listenerOfService(
  elb: ElasticLoadBalancingV2Client,
  service: Service,
): Promise<string | undefined> {
  const targetGroupArn = service.loadBalancers?.find((lb) => lb.targetGroupArn)?.targetGroupArn;
  if (!targetGroupArn) return undefined;
  const groups = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }));
  const loadBalancerArn = [...(groups.TargetGroups?.[0]?.LoadBalancerArns ?? [])].sort()[0];
  if (!loadBalancerArn) return undefined;
  const listeners: Listener[] = [];
  for await (const page of paginateDescribeListeners({ client: elb }, { LoadBalancerArn: loadBalancerArn })) {
    listeners.push(...(page.Listeners ?? []));
  }
  listeners.sort(
    (a, b) => (a.Port ?? 0) - (b.Port ?? 0) || (a.ListenerArn ?? '').localeCompare(b.ListenerArn ?? ''),
  );
  return (listeners.find((l) => forwardsTo(l, targetGroupArn)) ?? listeners[0])?.ListenerArn;
}
