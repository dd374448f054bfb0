/**
 * The release lock as a listener rule at a reserved priority. `CreateRule` is atomic: of two
 * runs creating a rule at the same priority, the second is answered `PriorityInUse`, whatever
 * the timing — unlike tags, which are last-writer-wins. The rule names its holder in its tags
 * (written in the same `CreateRule` call, so a rule never exists without them), carries an
 * expiry its live holder renews, and matches no real request: its only condition is a header
 * whose value is a random token only the holder knows, and its action a fixed 404.
 *
 * Every rule is deleted by its own ARN, after its tags were read back, so a run can only ever
 * delete the rule it created (or, when taking over, the expired rule it read).
 */
import { randomBytes } from 'node:crypto';
import {
  AddTagsCommand,
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeTagsCommand,
  type ElasticLoadBalancingV2Client,
  paginateDescribeRules,
  RuleNotFoundException,
  type Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/** Listener rule priorities run 1–50000; the lock takes the last one, which users rarely need. */
export const LOCK_PRIORITY = 50_000;
export const LOCK_HEADER = 'X-Deploy-Action-Lock';
export const LOCK_TAG = 'deploy-action:lock';

/** Who holds a lock, as written in its rule's tags. */
export interface LockHolder {
  /** Random, per acquisition: the identity check before renew and release. */
  token: string;
  runUrl: string;
  actor: string;
  commit: string;
  /** What the lock protects (`cluster/service`, or the pair). */
  scope: string;
  expiresAt: number;
}

export interface HeldLock {
  ruleArn: string;
  holder: LockHolder;
}

export function newToken(): string {
  return randomBytes(16).toString('hex');
}

/** ELB tag values: up to 256 of letters, digits, spaces and `_ . : / = + - @`. */
export function tagValue(text: string): string {
  return (
    text
      .replace(/[^\p{L}\p{N} _.:/=+\-@]/gu, '_')
      .slice(0, 256)
      .trim() || '-'
  );
}

export function lockTags(h: LockHolder): Tag[] {
  return [
    { Key: LOCK_TAG, Value: h.token },
    { Key: `${LOCK_TAG}:run`, Value: tagValue(h.runUrl) },
    { Key: `${LOCK_TAG}:actor`, Value: tagValue(h.actor) },
    { Key: `${LOCK_TAG}:commit`, Value: tagValue(h.commit) },
    { Key: `${LOCK_TAG}:scope`, Value: tagValue(h.scope) },
    { Key: `${LOCK_TAG}:expires`, Value: new Date(h.expiresAt).toISOString() },
  ];
}

/** The holder a lock rule's tags name; undefined for a rule that is not a lock. */
export function holderOf(tags: Tag[] | undefined): LockHolder | undefined {
  const get = (key: string) => tags?.find((t) => t.Key === key)?.Value;
  const token = get(LOCK_TAG);
  const expiresAt = Date.parse(get(`${LOCK_TAG}:expires`) ?? '');
  if (!token || Number.isNaN(expiresAt)) return undefined;
  return {
    token,
    runUrl: get(`${LOCK_TAG}:run`) ?? '-',
    actor: get(`${LOCK_TAG}:actor`) ?? '-',
    commit: get(`${LOCK_TAG}:commit`) ?? '-',
    scope: get(`${LOCK_TAG}:scope`) ?? '-',
    expiresAt,
  };
}

export function describeHolder(h: LockHolder): string {
  return `run ${h.runUrl} by ${h.actor} (commit ${h.commit.slice(0, 12)}, ${h.scope}), until ${new Date(h.expiresAt).toISOString()}`;
}

/** The CreateRule input of a lock: one header condition only the holder can match, a fixed 404. */
export function lockRuleInput(listenerArn: string, holder: LockHolder, priority = LOCK_PRIORITY) {
  return {
    ListenerArn: listenerArn,
    Priority: priority,
    Conditions: [
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: LOCK_HEADER, Values: [holder.token] } },
    ],
    Actions: [
      {
        Type: 'fixed-response' as const,
        FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
      },
    ],
    Tags: lockTags(holder),
  };
}

/** Create the lock rule: the rule's ARN, or `in-use` when another rule has the priority. */
export async function createLockRule(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string,
  holder: LockHolder,
): Promise<string | 'in-use'> {
  try {
    const out = await elb.send(new CreateRuleCommand(lockRuleInput(listenerArn, holder)));
    return out.Rules?.[0]?.RuleArn ?? 'in-use';
  } catch (err) {
    if ((err as Error).name === 'PriorityInUseException' || (err as Error).name === 'PriorityInUse')
      return 'in-use';
    throw err;
  }
}

/** The rule at the lock's priority and the holder it names (none: free; holder undefined: not a lock). */
export async function readLockRule(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<{ ruleArn: string; holder?: LockHolder } | undefined> {
  for await (const page of paginateDescribeRules({ client: elb }, { ListenerArn: listenerArn })) {
    const rule = page.Rules?.find((r) => r.Priority === String(LOCK_PRIORITY));
    if (rule?.RuleArn) return { ruleArn: rule.RuleArn, holder: await ruleHolder(elb, rule.RuleArn) };
  }
  return undefined;
}

/** The holder a rule's tags name now; undefined when the rule is gone or is not a lock. */
export async function ruleHolder(
  elb: ElasticLoadBalancingV2Client,
  ruleArn: string,
): Promise<LockHolder | undefined> {
  try {
    const out = await elb.send(new DescribeTagsCommand({ ResourceArns: [ruleArn] }));
    return holderOf(out.TagDescriptions?.find((d) => d.ResourceArn === ruleArn)?.Tags);
  } catch (err) {
    if (err instanceof RuleNotFoundException) return undefined;
    throw err;
  }
}

/** Delete a rule by its ARN; a rule already gone counts as deleted. */
export async function deleteLockRule(elb: ElasticLoadBalancingV2Client, ruleArn: string): Promise<void> {
  try {
    await elb.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
  } catch (err) {
    if (!(err instanceof RuleNotFoundException)) throw err;
  }
}

export async function renewLockRule(
  elb: ElasticLoadBalancingV2Client,
  ruleArn: string,
  expiresAt: number,
): Promise<void> {
  await elb.send(
    new AddTagsCommand({
      ResourceArns: [ruleArn],
      Tags: [{ Key: `${LOCK_TAG}:expires`, Value: new Date(expiresAt).toISOString() }],
    }),
  );
}
