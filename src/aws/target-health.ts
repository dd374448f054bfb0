/**
 * Target health of a target group (`DescribeTargetHealth`). Weight moves only to a group whose
 * registered targets are all `healthy`: with one sick target the ALB still sends it its share,
 * and with none healthy it fails open and sends everything to the sick ones.
 */
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';

export interface TargetGroupHealth {
  healthy: number;
  /** Targets that would get traffic but are not healthy: `initial`, `unhealthy`, `unavailable`. */
  notHealthy: TargetHealthDescription[];
  /** Targets leaving the group; they get no new requests and do not count either way. */
  draining: number;
}

export async function readTargetHealth(
  elb: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
): Promise<TargetGroupHealth> {
  const out = await elb
    .send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))
    .catch((err: Error) => {
      throw new Error(`Reading target health of ${targetGroupArn}: ${err.name}: ${err.message}`);
    });
  const all = out.TargetHealthDescriptions ?? [];
  const state = (t: TargetHealthDescription) => t.TargetHealth?.State;
  return {
    healthy: all.filter((t) => state(t) === 'healthy').length,
    notHealthy: all.filter((t) => !['healthy', 'draining', 'unused'].includes(state(t) ?? '')),
    draining: all.filter((t) => state(t) === 'draining').length,
  };
}

/** Every registered target healthy, and at least `minimum` of them. */
export function allHealthy(h: TargetGroupHealth, minimum: number): boolean {
  return h.notHealthy.length === 0 && h.healthy >= Math.max(1, minimum);
}

export function describeHealth(h: TargetGroupHealth): string {
  const sick = h.notHealthy.map(
    (t) =>
      `${t.Target?.Id}:${t.Target?.Port} ${t.TargetHealth?.State}${t.TargetHealth?.Description ? ` (${t.TargetHealth.Description})` : ''}`,
  );
  return `${h.healthy} healthy${sick.length ? `, not healthy: ${sick.join('; ')}` : ''}${h.draining ? `, ${h.draining} draining` : ''}`;
}
