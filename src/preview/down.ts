/**
 * Removes everything of one preview, in the order that keeps each step possible: the listener
 * rule (traffic stops, and the target group is no longer in use), the service (scaled to 0,
 * then deleted), the target group, then the task-definition revisions. Idempotent: a part
 * that is already gone is skipped, so a second run, or a run after a half-finished `preview-up`,
 * removes exactly what is left.
 */
import { setTimeout as wait } from 'node:timers/promises';
import {
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  paginateListTaskDefinitions,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeTagsCommand,
  ResourceInUseException,
  RuleNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../aws/clients.js';
import { familyOf } from '../history/ecs-records.js';
import type { Journal } from '../release/journal.js';
import { resourceNames } from './naming.js';
import { isPreviewOf, listTaggedRules } from './rule.js';
import { describePreviewService } from './service.js';
import { fromElbTags } from './tags.js';
import { findTargetGroupByName } from './target-group.js';

export interface RemovedResources {
  rules: string[];
  service?: string;
  targetGroups: string[];
  taskDefinitions: string[];
}

export interface RemoveOptions {
  cluster: string;
  listenerArn: string;
  app: string;
  pullRequest: number;
  log: (line: string) => void;
  /** Each removal is a journal step with nothing to undo (a deleted resource is not brought back). */
  journal: Pick<Journal, 'final'>;
}

/** Target-group deletion right after its rule: AWS may still count it in use for a moment. */
const IN_USE_RETRIES = 10;
const IN_USE_DELAY_MS = 1_000;

function awsName(err: unknown): string {
  return (err as { name?: string } | undefined)?.name ?? '';
}

async function removeRules(clients: AwsClients, o: RemoveOptions): Promise<string[]> {
  const rules = (await listTaggedRules(clients.elb, o.listenerArn)).filter((t) =>
    isPreviewOf(t.tags, o.app, o.pullRequest),
  );
  const removed: string[] = [];
  for (const { rule } of rules) {
    try {
      await clients.elb.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }));
      removed.push(rule.RuleArn!);
      o.log(`Removed listener rule ${rule.RuleArn} (priority ${rule.Priority}).`);
    } catch (err) {
      if (!(err instanceof RuleNotFoundException)) throw err;
    }
  }
  return removed;
}

async function removeService(
  clients: AwsClients,
  o: RemoveOptions,
  name: string,
): Promise<string | undefined> {
  const service = await describePreviewService(clients.ecs, o.cluster, name);
  if (service?.status !== 'ACTIVE') {
    if (service) o.log(`Service ${name} is already ${service.status}.`);
    return undefined;
  }
  try {
    // Scale to 0 first: ECS then stops the tasks in its orderly way (deregister, drain, stop).
    await clients.ecs.send(new UpdateServiceCommand({ cluster: o.cluster, service: name, desiredCount: 0 }));
    await clients.ecs.send(new DeleteServiceCommand({ cluster: o.cluster, service: name, force: true }));
  } catch (err) {
    const n = awsName(err);
    if (n === 'ServiceNotFoundException' || n === 'ServiceNotActiveException') return undefined;
    throw new Error(`Removing preview service "${name}": ${n}: ${(err as Error).message}`);
  }
  o.log(`Scaled service ${name} to 0 and deleted it.`);
  return service.serviceArn;
}

async function removeTargetGroup(
  clients: AwsClients,
  o: RemoveOptions,
  name: string,
): Promise<string | undefined> {
  const tg = await findTargetGroupByName(clients.elb, name);
  if (!tg?.TargetGroupArn) return undefined;
  // The name is derived, but only a group tagged as this very preview is ours to delete.
  const tags = await clients.elb.send(new DescribeTagsCommand({ ResourceArns: [tg.TargetGroupArn] }));
  if (!isPreviewOf(fromElbTags(tags.TagDescriptions?.[0]?.Tags), o.app, o.pullRequest)) {
    o.log(`Target group ${name} is not tagged as this preview; left alone.`);
    return undefined;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await clients.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }));
      o.log(`Deleted target group ${name}.`);
      return tg.TargetGroupArn;
    } catch (err) {
      if (err instanceof ResourceInUseException && attempt < IN_USE_RETRIES) {
        await wait(IN_USE_DELAY_MS);
        continue;
      }
      throw new Error(`Deleting target group "${name}": ${awsName(err)}: ${(err as Error).message}`);
    }
  }
}

async function deregisterRevisions(
  clients: AwsClients,
  family: string,
  log: (line: string) => void,
): Promise<string[]> {
  const arns: string[] = [];
  const pages = paginateListTaskDefinitions(
    { client: clients.ecs, pageSize: 100 },
    { familyPrefix: family, status: 'ACTIVE' },
  );
  for await (const page of pages) {
    // The prefix `web-pr-1` also matches `web-pr-12`: keep the exact family only.
    arns.push(...(page.taskDefinitionArns ?? []).filter((a) => familyOf(a) === family));
  }
  for (const arn of arns)
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
  if (arns.length) log(`Deregistered ${arns.length} revision${arns.length > 1 ? 's' : ''} of ${family}.`);
  return arns;
}

export async function removePreview(clients: AwsClients, o: RemoveOptions): Promise<RemovedResources> {
  const names = resourceNames(o.app, o.pullRequest);
  const { journal } = o;
  const rules = await journal.final(`remove the listener rules of ${names.service}`, () =>
    removeRules(clients, o),
  );
  const service = await journal.final(`remove service ${names.service}`, () =>
    removeService(clients, o, names.service),
  );
  const targetGroup = await journal.final(`remove target group ${names.targetGroup}`, () =>
    removeTargetGroup(clients, o, names.targetGroup),
  );
  const taskDefinitions = await journal.final(`deregister the revisions of ${names.family}`, () =>
    deregisterRevisions(clients, names.family, o.log),
  );
  return { rules, service, targetGroups: targetGroup ? [targetGroup] : [], taskDefinitions };
}

export function nothingRemoved(r: RemovedResources): boolean {
  return !r.rules.length && !r.service && !r.targetGroups.length && !r.taskDefinitions.length;
}
