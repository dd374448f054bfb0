/**
 * Which revision `command: rollback` returns to, and the refusals that change nothing: an
 * unknown or INACTIVE revision, no earlier good revision, or the revision that is already live.
 * `previous` is derived from ECS's own service-deployment records (see ecs-records.ts); the
 * action's history tags only ever mark a revision bad, and only when ECS backs them.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { familyRevision } from '../aws/arn.js';
import { familyOf, previousGoodRevision, type RecordedRevision, recordedRevisions } from './ecs-records.js';
import { type HistoryEntry, readHistory } from './history.js';

export class RollbackRefused extends Error {
  override name = 'RollbackRefused';
}

export interface RollbackTarget {
  service: Service;
  serviceArn: string;
  /** ARN of the revision live now. */
  liveArn: string;
  /** ARN of the revision to return to. */
  targetArn: string;
  /** The history entry the target came from (for `previous`). */
  entry?: HistoryEntry;
  history: HistoryEntry[];
}

export async function describeLiveService(
  ecs: ECSClient,
  cluster: string,
  service: string,
): Promise<Service> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const svc = out.services?.[0];
  if (svc?.status !== 'ACTIVE' || !svc.serviceArn || !svc.taskDefinition) {
    throw new RollbackRefused(
      `Service "${service}" was not found (or is not ACTIVE) in cluster "${cluster}". Check inputs "cluster" and "service".`,
    );
  }
  return svc;
}

/** Where "last known good" comes from: the services whose ECS service deployments count. */
export interface Evidence {
  cluster: string;
  /** One service, or both services of a blue-green pair. */
  services: string[];
  /** Warn about a history entry that was refused. */
  warn: (line: string) => void;
  /**
   * Blue-green pairs: a revision is good only if a release of the action made it live (its
   * release record), and ECS backs that record. A side that ECS ran but whose release was
   * switched back is not good. Without any release record yet, ECS's records alone decide.
   */
  releasesOnly?: boolean;
}

/**
 * Cross-check the action's own history tags against ECS: a tag says that a rollback *replaced*
 * a revision (which makes it bad) or, for a blue-green pair, that a release made one live; it
 * can never put forward a revision ECS did not deploy successfully on these services. An entry
 * that names another family, or a revision ECS never deployed here, is refused.
 */
function crossCheck(
  history: HistoryEntry[],
  liveArn: string,
  records: RecordedRevision[],
  warn: (line: string) => void,
): { bad: Set<string>; released: Set<string> } {
  const family = familyOf(liveArn);
  const prefix = liveArn.slice(0, liveArn.lastIndexOf('/') + 1);
  const deployed = new Set(records.map((r) => familyRevision(r.taskDefinitionArn)));
  const bad = new Set<string>();
  const released = new Set<string>();
  for (const e of history) {
    const names = [e.taskDefinition, ...(e.replaced ? [e.replaced] : [])];
    const foreign = names.find((n) => familyOf(n) !== family);
    if (foreign) {
      warn(`History entry ${foreign} refused: it names another family than the live ${family}.`);
      continue;
    }
    const unknown = names.find((n) => !deployed.has(n));
    if (unknown) {
      warn(`History entry ${unknown} refused: ECS records no deployment of it on this service.`);
      continue;
    }
    if (e.kind === 'rollback' && e.replaced) bad.add(`${prefix}${e.replaced}`);
    released.add(`${prefix}${e.taskDefinition}`);
  }
  return { bad, released };
}

/** The newest revision ECS recorded as good before the live one, of the live family and still ACTIVE. */
async function previousFromEcs(
  ecs: ECSClient,
  liveArn: string,
  history: HistoryEntry[],
  evidence: Evidence,
): Promise<RecordedRevision | undefined> {
  const all = (
    await Promise.all(evidence.services.map((s) => recordedRevisions(ecs, evidence.cluster, s)))
  ).flat();
  all.sort((a, b) => b.at.getTime() - a.at.getTime());
  const { bad, released } = crossCheck(history, liveArn, all, evidence.warn);
  const byRelease = evidence.releasesOnly && released.size > 0;
  const records = all.map((r) =>
    bad.has(r.taskDefinitionArn) || (byRelease && !released.has(r.taskDefinitionArn))
      ? { ...r, good: false }
      : r,
  );
  return previousGoodRevision(records, liveArn, async (arn) => {
    const td = await ecs
      .send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))
      .catch(() => undefined);
    const active = td?.taskDefinition?.status === 'ACTIVE';
    if (!active)
      evidence.warn(`${familyRevision(arn)} was good but is no longer ACTIVE; trying an older one.`);
    return active;
  });
}

/** `previous`, a revision number of the live family, `family:revision`, or an ARN → a reference ECS accepts. */
async function reference(
  ecs: ECSClient,
  to: string,
  liveArn: string,
  history: HistoryEntry[],
  evidence: Evidence,
): Promise<{ ref: string; entry?: HistoryEntry }> {
  const live = familyRevision(liveArn);
  if (to === 'previous') {
    const found = await previousFromEcs(ecs, liveArn, history, evidence);
    if (!found) {
      throw new RollbackRefused(
        `ECS records no good revision of ${familyOf(liveArn)} before ${live} on ${evidence.services.join(', ')} that is still ACTIVE. Name one with input "to" (a revision number, family:revision or ARN).`,
      );
    }
    return { ref: found.taskDefinitionArn };
  }
  if (/^\d+$/.test(to)) return { ref: `${live.slice(0, live.lastIndexOf(':'))}:${to}` };
  return { ref: to };
}

/**
 * The ACTIVE revision `to` names, given what is live and the history; refuses (changing
 * nothing) an unknown or INACTIVE revision, a missing earlier entry, or the live revision.
 */
export async function resolveRevision(
  ecs: ECSClient,
  to: string,
  liveArn: string,
  history: HistoryEntry[],
  serviceName: string,
  evidence: Evidence,
): Promise<{ targetArn: string; entry?: HistoryEntry }> {
  const { ref, entry } = await reference(ecs, to, liveArn, history, evidence);
  const described = await ecs
    .send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }))
    .catch((err: Error) => {
      throw new RollbackRefused(
        `Task definition ${ref} does not exist (${err.message}). Input "to" must name a registered revision.`,
      );
    });
  const td = described.taskDefinition;
  if (!td?.taskDefinitionArn) throw new RollbackRefused(`Task definition ${ref} does not exist.`);
  if (td.status !== 'ACTIVE') {
    throw new RollbackRefused(
      `Task definition ${familyRevision(td.taskDefinitionArn)} is ${td.status}; a rollback needs an ACTIVE revision.`,
    );
  }
  if (td.taskDefinitionArn === liveArn) {
    throw new RollbackRefused(
      `${familyRevision(liveArn)} is already live on "${serviceName}"; nothing to roll back.`,
    );
  }
  return { targetArn: td.taskDefinitionArn, entry };
}

export async function resolveRollbackTarget(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  to: string,
  warn: (line: string) => void,
): Promise<RollbackTarget> {
  const service = await describeLiveService(ecs, cluster, serviceName);
  const liveArn = service.taskDefinition!;
  const history = await readHistory(ecs, service.serviceArn!);
  const { targetArn, entry } = await resolveRevision(ecs, to, liveArn, history, serviceName, {
    cluster,
    services: [serviceName],
    warn,
  });
  return { service, serviceArn: service.serviceArn!, liveArn, targetArn, entry, history };
}
