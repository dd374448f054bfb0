/**
 * The history ECS itself keeps: one service deployment per deployment, with its status and the
 * service revision it deployed (`ListServiceDeployments`, `DescribeServiceRevisions`). Nobody
 * can write these records, unlike tags: "last known good" is derived from them.
 *
 * - `SUCCESSFUL`: the target revision became live and completed — good.
 * - `ROLLBACK_SUCCESSFUL`: the target failed and ECS went back — the target is bad, the
 *   revision it went back to good.
 * - anything else (stopped, superseded, failed, in progress) proves nothing either way.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeploymentBrief,
} from '@aws-sdk/client-ecs';
import { familyRevision } from '../aws/arn.js';

export interface RecordedRevision {
  taskDefinitionArn: string;
  /** When ECS created the deployment. */
  at: Date;
  good: boolean;
  serviceDeploymentArn: string;
}

/** ECS answers at most 20 ARNs per Describe call. */
const PER_DESCRIBE = 20;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Every finished service deployment of the service that says something about a revision,
 * newest first (sorted here by `createdAt`: the API promises no order).
 */
export async function recordedRevisions(
  ecs: ECSClient,
  cluster: string,
  service: string,
  options: { max?: number } = {},
): Promise<RecordedRevision[]> {
  // The SDK has no paginator for this operation: follow nextToken by hand.
  const briefs: ServiceDeploymentBrief[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster,
        service,
        status: ['SUCCESSFUL', 'ROLLBACK_SUCCESSFUL'],
        maxResults: 100,
        nextToken,
      }),
    );
    briefs.push(...(page.serviceDeployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken && !(options.max && briefs.length >= options.max));
  briefs.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));

  // A rollback's good revision is named only in the full record.
  const rollbacks = briefs.filter((b) => b.status === 'ROLLBACK_SUCCESSFUL');
  const wentBackTo = new Map<string, string>();
  for (const batch of chunks(
    rollbacks.map((b) => b.serviceDeploymentArn!),
    PER_DESCRIBE,
  )) {
    const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch }));
    for (const d of out.serviceDeployments ?? []) {
      if (d.serviceDeploymentArn && d.rollback?.serviceRevisionArn)
        wentBackTo.set(d.serviceDeploymentArn, d.rollback.serviceRevisionArn);
    }
  }

  const revisionArns = [
    ...new Set([...briefs.map((b) => b.targetServiceRevisionArn!), ...wentBackTo.values()].filter(Boolean)),
  ];
  const taskDefinitionOf = new Map<string, string>();
  for (const batch of chunks(revisionArns, PER_DESCRIBE)) {
    const out = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch }));
    for (const r of out.serviceRevisions ?? []) {
      if (r.serviceRevisionArn && r.taskDefinition)
        taskDefinitionOf.set(r.serviceRevisionArn, r.taskDefinition);
    }
  }

  const records: RecordedRevision[] = [];
  for (const b of briefs) {
    const target = taskDefinitionOf.get(b.targetServiceRevisionArn ?? '');
    const at = b.createdAt ?? new Date(0);
    if (b.status === 'SUCCESSFUL' && target) {
      records.push({
        taskDefinitionArn: target,
        at,
        good: true,
        serviceDeploymentArn: b.serviceDeploymentArn!,
      });
    } else if (b.status === 'ROLLBACK_SUCCESSFUL') {
      const back = taskDefinitionOf.get(wentBackTo.get(b.serviceDeploymentArn!) ?? '');
      // Newest first: the revision it went back to is live after the failed one.
      if (back)
        records.push({
          taskDefinitionArn: back,
          at,
          good: true,
          serviceDeploymentArn: b.serviceDeploymentArn!,
        });
      if (target)
        records.push({
          taskDefinitionArn: target,
          at,
          good: false,
          serviceDeploymentArn: b.serviceDeploymentArn!,
        });
    }
  }
  return records;
}

/** `family` of a task-definition ARN or `family:revision`. */
export function familyOf(taskDefinition: string): string {
  const name = familyRevision(taskDefinition);
  return name.slice(0, name.lastIndexOf(':'));
}

/**
 * The newest revision ECS recorded as good that is not the live one and was not proved bad
 * since (a rollback away from it), of the live revision's family. Candidates come newest first;
 * `isActive` lets the caller skip a revision that was deregistered and try an older one.
 */
export async function previousGoodRevision(
  records: RecordedRevision[],
  liveArn: string,
  isActive: (arn: string) => Promise<boolean>,
): Promise<RecordedRevision | undefined> {
  const family = familyOf(liveArn);
  const bad = new Set<string>([liveArn]);
  const tried = new Set<string>();
  for (const r of records) {
    if (!r.good) {
      bad.add(r.taskDefinitionArn);
      continue;
    }
    if (bad.has(r.taskDefinitionArn) || tried.has(r.taskDefinitionArn)) continue;
    if (familyOf(r.taskDefinitionArn) !== family) continue;
    tried.add(r.taskDefinitionArn);
    if (await isActive(r.taskDefinitionArn)) return r;
  }
  return undefined;
}
