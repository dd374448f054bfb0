/**
 * Finds every preview of this repository by its tags — services in the cluster, rules on the
 * preview listener, target groups — and decides for each whether it goes: its expiry passed,
 * or its pull request is closed. A resource that lost its siblings in a half-finished run is
 * found all the same, because each one carries the full set of tags.
 */
import { DescribeServicesCommand, paginateListServices } from '@aws-sdk/client-ecs';
import { DescribeTagsCommand, paginateDescribeTargetGroups } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../aws/clients.js';
import { listTaggedRules } from './rule.js';
import { fromElbTags, type PreviewTags, readPreviewTags } from './tags.js';

export interface FoundPreview {
  app: string;
  pullRequest: number;
  /** The latest expiry any of its resources carries (the last update wins). */
  expires?: Date;
  /** Commit of the last update (from the resource with the latest expiry). */
  commit: string;
  resources: string[];
}

export type Decision = { remove: true; why: 'expired' | 'closed' } | { remove: false; why: string };

const SERVICES_PER_CALL = 10;
const TAGS_PER_CALL = 20;
/** Names our target groups can have (`…-pr-<n>`, `…-pr-<n>-<hash>`, `pr-<n>-<hash>`). */
const PREVIEW_TG_NAME = /(^|-)pr-\d+(-|$)/;

async function taggedServices(
  clients: AwsClients,
  cluster: string,
): Promise<[string, PreviewTags | undefined][]> {
  const arns: string[] = [];
  for await (const page of paginateListServices({ client: clients.ecs, pageSize: 100 }, { cluster })) {
    arns.push(...(page.serviceArns ?? []));
  }
  const found: [string, PreviewTags | undefined][] = [];
  for (let i = 0; i < arns.length; i += SERVICES_PER_CALL) {
    const out = await clients.ecs.send(
      new DescribeServicesCommand({
        cluster,
        services: arns.slice(i, i + SERVICES_PER_CALL),
        include: ['TAGS'],
      }),
    );
    // A deleted service stays listed while it drains, tags and all: it is already removed.
    for (const s of out.services ?? []) {
      if (s.status === 'ACTIVE') found.push([s.serviceArn!, readPreviewTags(s.tags ?? [])]);
    }
  }
  return found;
}

async function taggedTargetGroups(clients: AwsClients): Promise<[string, PreviewTags | undefined][]> {
  const arns: string[] = [];
  for await (const page of paginateDescribeTargetGroups({ client: clients.elb, pageSize: 400 }, {})) {
    for (const tg of page.TargetGroups ?? []) {
      if (tg.TargetGroupArn && PREVIEW_TG_NAME.test(tg.TargetGroupName ?? '')) arns.push(tg.TargetGroupArn);
    }
  }
  const found: [string, PreviewTags | undefined][] = [];
  for (let i = 0; i < arns.length; i += TAGS_PER_CALL) {
    const out = await clients.elb.send(
      new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + TAGS_PER_CALL) }),
    );
    for (const d of out.TagDescriptions ?? []) found.push([d.ResourceArn!, fromElbTags(d.Tags)]);
  }
  return found;
}

export async function findPreviews(
  clients: AwsClients,
  options: { cluster: string; listenerArn: string; repository: string; app?: string },
): Promise<FoundPreview[]> {
  const rules = (await listTaggedRules(clients.elb, options.listenerArn)).map(
    (t) => [t.rule.RuleArn!, t.tags] as [string, PreviewTags | undefined],
  );
  const all = [
    ...(await taggedServices(clients, options.cluster)),
    ...rules,
    ...(await taggedTargetGroups(clients)),
  ];
  const byPreview = new Map<string, FoundPreview>();
  for (const [arn, tags] of all) {
    // Only this repository's previews: others may share the cluster and the listener.
    if (!tags || tags.repository !== options.repository) continue;
    if (options.app && tags.app !== options.app) continue;
    const key = `${tags.app}\u0000${tags.pullRequest}`;
    const entry = byPreview.get(key) ?? {
      app: tags.app,
      pullRequest: tags.pullRequest,
      commit: tags.commit,
      resources: [],
    };
    entry.resources.push(arn);
    const expires = new Date(tags.expires);
    if (!Number.isNaN(expires.getTime()) && (!entry.expires || expires > entry.expires)) {
      entry.expires = expires;
      entry.commit = tags.commit;
    }
    byPreview.set(key, entry);
  }
  return [...byPreview.values()].sort((a, b) => a.app.localeCompare(b.app) || a.pullRequest - b.pullRequest);
}

/**
 * Expired first (no GitHub call needed); then the pull request's state when it can be asked.
 * A preview whose expiry cannot be read and whose pull request cannot be asked is kept: the
 * sweep removes only what it knows is finished.
 */
export async function decide(
  p: FoundPreview,
  now: Date,
  pullRequestState: ((n: number) => Promise<'open' | 'closed'>) | undefined,
): Promise<Decision> {
  if (p.expires && p.expires <= now) return { remove: true, why: 'expired' };
  if (!pullRequestState)
    return {
      remove: false,
      why: 'not expired (no "github-token" to ask whether the pull request is closed)',
    };
  try {
    const state = await pullRequestState(p.pullRequest);
    return state === 'closed'
      ? { remove: true, why: 'closed' }
      : { remove: false, why: 'pull request open, not expired' };
  } catch (err) {
    return { remove: false, why: `pull request state unknown (${(err as Error).message}); kept` };
  }
}
