/**
 * The preview's target group: found by its deterministic name, created from the base
 * service's target group when missing (same protocol, port, VPC, target type and health
 * check), and re-tagged on every update so the expiry moves with the last push.
 */
import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { PreviewNames } from './naming.js';
import { explainQuota } from './quota.js';
import { elbTags, type PreviewTags } from './tags.js';

export async function findTargetGroupByName(
  elb: ElasticLoadBalancingV2Client,
  name: string,
): Promise<TargetGroup | undefined> {
  try {
    const out = await elb.send(new DescribeTargetGroupsCommand({ Names: [name] }));
    return out.TargetGroups?.[0];
  } catch (err) {
    if ((err as Error).name === 'TargetGroupNotFoundException') return undefined;
    throw new Error(`Looking up target group "${name}": ${(err as Error).name}: ${(err as Error).message}`);
  }
}

export async function ensureTargetGroup(
  elb: ElasticLoadBalancingV2Client,
  names: PreviewNames,
  base: TargetGroup,
  tags: PreviewTags,
): Promise<{ arn: string; created: boolean }> {
  const existing = await findTargetGroupByName(elb, names.targetGroup);
  if (existing?.TargetGroupArn) {
    await elb.send(
      new AddTagsCommand({ ResourceArns: [existing.TargetGroupArn], Tags: elbTags(tags, { update: true }) }),
    );
    return { arn: existing.TargetGroupArn, created: false };
  }
  const out = await elb
    .send(
      new CreateTargetGroupCommand({
        Name: names.targetGroup,
        Protocol: base.Protocol,
        ProtocolVersion: base.ProtocolVersion,
        Port: base.Port,
        VpcId: base.VpcId,
        TargetType: base.TargetType,
        HealthCheckProtocol: base.HealthCheckProtocol,
        HealthCheckPort: base.HealthCheckPort,
        HealthCheckEnabled: base.HealthCheckEnabled,
        HealthCheckPath: base.HealthCheckPath,
        HealthCheckIntervalSeconds: base.HealthCheckIntervalSeconds,
        HealthCheckTimeoutSeconds: base.HealthCheckTimeoutSeconds,
        HealthyThresholdCount: base.HealthyThresholdCount,
        UnhealthyThresholdCount: base.UnhealthyThresholdCount,
        Matcher: base.Matcher,
        Tags: elbTags(tags),
      }),
    )
    .catch((err: Error) => {
      throw (
        explainQuota(err, `Creating target group "${names.targetGroup}"`) ??
        new Error(`Creating target group "${names.targetGroup}": ${err.name}: ${err.message}`)
      );
    });
  const arn = out.TargetGroups?.[0]?.TargetGroupArn;
  if (!arn)
    throw new Error(`Creating target group "${names.targetGroup}": the answer names no target group.`);
  return { arn, created: true };
}
