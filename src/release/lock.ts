/**
 * The deploy lock of a blue-green pair: a tag on the blue service naming the run that holds it
 * and until when. Two releases must never both move traffic; a crashed run must not hold the
 * lock forever, so the tag carries an expiry past which anyone may take it.
 *
 * Tags have no compare-and-set. Taking the lock writes the tag, waits a moment and reads it
 * back: of two runs that raced, the later write stands, and the earlier sees a name not its
 * own and backs off before changing anything.
 */
import {
  DescribeServicesCommand,
  type ECSClient,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { sleep } from './cancel.js';

export const LOCK_TAG = 'deploy-action:lock';

export interface LockHolder {
  owner: string;
  expiresAt: number;
}

/** `owner=<id> until=<ISO time>`: only characters ECS tag values allow. */
export function formatLock(holder: LockHolder): string {
  return `owner=${holder.owner} until=${new Date(holder.expiresAt).toISOString()}`;
}

export function parseLock(value: string | undefined): LockHolder | undefined {
  const m = value ? /^owner=(\S+) until=(\S+)$/.exec(value) : null;
  if (!m) return undefined;
  const expiresAt = Date.parse(m[2]!);
  return Number.isNaN(expiresAt) ? undefined : { owner: m[1]!, expiresAt };
}

export async function readLock(
  ecs: ECSClient,
  cluster: string,
  service: string,
): Promise<LockHolder | undefined> {
  const out = await ecs.send(
    new DescribeServicesCommand({ cluster, services: [service], include: ['TAGS'] }),
  );
  return parseLock(out.services?.[0]?.tags?.find((t) => t.key === LOCK_TAG)?.value);
}

export class LockHeldError extends Error {
  override name = 'LockHeldError';
}

/**
 * Fail clearly when another live run holds the lock; otherwise write ours and make sure it
 * stood. `settleMs` is how long a racing writer has to show up.
 */
export async function acquireLock(
  ecs: ECSClient,
  target: { cluster: string; service: string; serviceArn: string },
  holder: LockHolder,
  options: { settleMs: number; now?: number; signal?: AbortSignal },
): Promise<void> {
  const now = options.now ?? Date.now();
  const held = await readLock(ecs, target.cluster, target.service);
  if (held && held.owner !== holder.owner && held.expiresAt > now) {
    throw new LockHeldError(
      `Another release holds the deploy lock of ${target.service} (${held.owner}, until ${new Date(held.expiresAt).toISOString()}); nothing was changed. Run again when it finished; a lock of a crashed run expires at that time.`,
    );
  }
  await ecs.send(
    new TagResourceCommand({
      resourceArn: target.serviceArn,
      tags: [{ key: LOCK_TAG, value: formatLock(holder) }],
    }),
  );
  await sleep(options.settleMs, options.signal);
  const after = await readLock(ecs, target.cluster, target.service);
  if (after?.owner !== holder.owner) {
    throw new LockHeldError(
      `Another release took the deploy lock of ${target.service} at the same moment (${after?.owner ?? 'unknown'}); this one stops without changing anything.`,
    );
  }
}

/** Remove the tag only if it still names us: a lock that expired and was taken is not ours to drop. */
export async function releaseLock(ecs: ECSClient, serviceArn: string, owner: string): Promise<boolean> {
  const [, cluster, service] = /service\/([^/]+)\/([^/]+)$/.exec(serviceArn) ?? [];
  const held = cluster && service ? await readLock(ecs, cluster, service) : undefined;
  if (held?.owner !== owner) return false;
  await ecs.send(new UntagResourceCommand({ resourceArn: serviceArn, tagKeys: [LOCK_TAG] }));
  return true;
}
