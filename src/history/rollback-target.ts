/**
 * Which revision `command: rollback` returns to, and the refusals that change nothing: an
 * unknown or INACTIVE revision, no earlier good entry in the history, or the revision that is
 * already live.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { familyRevision, type HistoryEntry, previousGood, readHistory } from './history.js';

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

/** `previous`, a revision number of the live family, `family:revision`, or an ARN → a reference ECS accepts. */
function reference(
  to: string,
  liveArn: string,
  history: HistoryEntry[],
): { ref: string; entry?: HistoryEntry } {
  const live = familyRevision(liveArn);
  if (to === 'previous') {
    const entry = previousGood(history, live);
    if (!entry) {
      throw new RollbackRefused(
        history.length === 0
          ? `There is no deployment history on this service yet, so there is no known good revision before ${live}. Name one with input "to" (a revision number, family:revision or ARN).`
          : `The deployment history has no good revision before ${live} (history: ${history.map((e) => e.taskDefinition).join(', ')}). Name one with input "to".`,
      );
    }
    return { ref: entry.taskDefinition, entry };
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
): Promise<{ targetArn: string; entry?: HistoryEntry }> {
  const { ref, entry } = reference(to, liveArn, history);
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
): Promise<RollbackTarget> {
  const service = await describeLiveService(ecs, cluster, serviceName);
  const liveArn = service.taskDefinition!;
  const history = await readHistory(ecs, service.serviceArn!);
  const { targetArn, entry } = await resolveRevision(ecs, to, liveArn, history, serviceName);
  return { service, serviceArn: service.serviceArn!, liveArn, targetArn, entry, history };
}
