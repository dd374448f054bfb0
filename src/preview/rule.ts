/**
 * The preview's listener rule: found by its tags, or created at the lowest free priority of
 * the configured range. Two previews set up at the same moment may both pick the same free
 * priority; the load balancer accepts one and answers `PriorityInUse` to the other, which then
 * reads the rules again and takes the next free one.
 */
import { setTimeout as wait } from 'node:timers/promises';
import {
  AddTagsCommand,
  CreateRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { PreviewNames } from './naming.js';
import { explainQuota } from './quota.js';
import { elbTags, fromElbTags, type PreviewTags } from './tags.js';

/** DescribeTags takes at most 20 resources per call. */
const TAGS_PER_CALL = 20;
const MAX_PRIORITY_ATTEMPTS = 8;

export interface TaggedRule {
  rule: Rule;
  tags?: PreviewTags;
}

export async function listRules(elb: ElasticLoadBalancingV2Client, listenerArn: string): Promise<Rule[]> {
  const rules: Rule[] = [];
  let marker: string | undefined;
  do {
    const out = await elb
      .send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker, PageSize: 400 }))
      .catch((err: Error) => {
        throw new Error(
          `Reading the rules of listener ${listenerArn} (input "preview-listener"): ${err.name}: ${err.message}`,
        );
      });
    rules.push(...(out.Rules ?? []));
    marker = out.NextMarker;
  } while (marker);
  return rules;
}

/** Every non-default rule of the listener with its preview tags (undefined for other rules). */
export async function listTaggedRules(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<TaggedRule[]> {
  const rules = (await listRules(elb, listenerArn)).filter((r) => !r.IsDefault && r.RuleArn);
  const out: TaggedRule[] = [];
  for (let i = 0; i < rules.length; i += TAGS_PER_CALL) {
    const batch = rules.slice(i, i + TAGS_PER_CALL);
    const described = await elb.send(new DescribeTagsCommand({ ResourceArns: batch.map((r) => r.RuleArn!) }));
    for (const rule of batch) {
      const tags = described.TagDescriptions?.find((d) => d.ResourceArn === rule.RuleArn)?.Tags;
      out.push({ rule, tags: fromElbTags(tags) });
    }
  }
  return out;
}

export function isPreviewOf(tags: PreviewTags | undefined, app: string, pullRequest: number): boolean {
  return tags?.app === app && tags.pullRequest === pullRequest;
}

export function lowestFreePriority(rules: Rule[], range: { from: number; to: number }): number | undefined {
  const taken = new Set(rules.map((r) => Number(r.Priority)).filter(Number.isInteger));
  for (let p = range.from; p <= range.to; p++) if (!taken.has(p)) return p;
  return undefined;
}

function jitter(): Promise<void> {
  return wait(50 + Math.random() * 250);
}

export async function ensureRule(
  elb: ElasticLoadBalancingV2Client,
  options: {
    listenerArn: string;
    names: PreviewNames;
    targetGroupArn: string;
    tags: PreviewTags;
    priorities: { from: number; to: number };
    log: (line: string) => void;
  },
): Promise<{ arn: string; priority: number; created: boolean }> {
  const { names } = options;
  for (let attempt = 1; ; attempt++) {
    const tagged = await listTaggedRules(elb, options.listenerArn);
    const mine = tagged.find((t) => isPreviewOf(t.tags, names.app, names.pullRequest));
    if (mine?.rule.RuleArn) {
      await elb.send(
        new AddTagsCommand({
          ResourceArns: [mine.rule.RuleArn],
          Tags: elbTags(options.tags, { update: true }),
        }),
      );
      return { arn: mine.rule.RuleArn, priority: Number(mine.rule.Priority), created: false };
    }
    const priority = lowestFreePriority(
      tagged.map((t) => t.rule),
      options.priorities,
    );
    if (priority === undefined) {
      throw new Error(
        `Every rule priority in ${options.priorities.from}-${options.priorities.to} (input "preview-priority-range") is taken on the preview listener. Remove forgotten previews with \`command: preview-sweep\`, or widen the range.`,
      );
    }
    try {
      const out = await elb.send(
        new CreateRuleCommand({
          ListenerArn: options.listenerArn,
          Priority: priority,
          Conditions: [
            names.condition.field === 'host-header'
              ? { Field: 'host-header', HostHeaderConfig: { Values: names.condition.values } }
              : { Field: 'path-pattern', PathPatternConfig: { Values: names.condition.values } },
          ],
          Actions: [{ Type: 'forward', TargetGroupArn: options.targetGroupArn }],
          Tags: elbTags(options.tags),
        }),
      );
      const arn = out.Rules?.[0]?.RuleArn;
      if (!arn) throw new Error('the answer names no rule');
      return { arn, priority, created: true };
    } catch (err) {
      const e = err as Error;
      if (e.name === 'PriorityInUseException' && attempt < MAX_PRIORITY_ATTEMPTS) {
        options.log(
          `Rule priority ${priority} was taken at the same moment by another rule; choosing again.`,
        );
        await jitter();
        continue;
      }
      throw (
        explainQuota(e, `Creating the listener rule for ${names.service}`) ??
        new Error(
          `Creating the listener rule for ${names.service} at priority ${priority}: ${e.name}: ${e.message}`,
        )
      );
    }
  }
}
