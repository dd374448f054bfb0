/**
 * Takes the release lock of a blue-green pair — the lock of its production listener — as the
 * first journaled step, so that a failure, a cancel or the post step releases it like any other
 * change. The token is journaled before the first create: if the create landed but its answer
 * was lost, the undo still finds (and only finds) our rule.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../../aws/clients.js';
import { describeHolder } from '../../aws/lock-rule.js';
import type { Journal } from '../../release/journal.js';
import {
  acquireListenerLock,
  type ListenerLock,
  LOCK_TTL_MS,
  listenerOf,
  newToken,
  runIdentity,
} from '../../release/lock.js';
import type { Settings } from '../../settings/settings.js';
import { RefusedError } from './errors.js';
import type { Topology } from './topology.js';

export async function takeLock(
  clients: AwsClients,
  t: Topology,
  settings: Settings,
  journal: Journal,
  signal: AbortSignal,
): Promise<ListenerLock> {
  const listenerArn = listenerOf(t.route.arn);
  const token = newToken();
  let lock: ListenerLock;
  try {
    lock = await journal.perform({ kind: 'lock', listenerArn, token }, () =>
      acquireListenerLock(
        clients.elb,
        listenerArn,
        `${t.cluster}/${t.blue.service || t.live.service}`,
        runIdentity(settings.run),
        token,
        {
          timeoutMs: settings.lockTimeoutMs,
          ttlMs: LOCK_TTL_MS,
          signal,
          log: core.info,
          warn: core.warning,
        },
      ),
    );
  } catch (err) {
    if ((err as Error).name === 'LockHeldError') throw new RefusedError((err as Error).message);
    throw err;
  }
  core.info(
    `Release lock taken (listener rule ${lock.ruleArn}, until ${new Date(lock.holder.expiresAt).toISOString()}, renewed while this run lives).`,
  );
  if (lock.tookOver)
    core.info(`It was taken over from the expired lock of ${describeHolder(lock.tookOver)}.`);
  return lock;
}
