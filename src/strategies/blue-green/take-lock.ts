/**
 * Takes the deploy lock of a blue-green pair as the first journaled step, so that a failure,
 * a cancel or the post step releases it like any other change.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../../aws/clients.js';
import type { Journal } from '../../release/journal.js';
import { acquireLock, LOCK_TAG } from '../../release/lock.js';
import type { BlueGreenSettings } from '../../settings/blue-green.js';
import type { Settings } from '../../settings/settings.js';
import { RefusedError } from './errors.js';
import type { Side, Topology } from './topology.js';

/** How long a racing release has to show up before the lock counts as ours. */
const LOCK_SETTLE_MS = 1_000;
/** A crashed run's lock expires this long after its own longest possible run. */
const LOCK_MARGIN_MS = 10 * 60_000;

/** The lock lives on the blue service, or on the live one while blue does not exist yet. */
function lockSide(t: Topology): Side {
  return t.blue.serviceArn ? t.blue : t.live;
}

export async function takeLock(
  clients: AwsClients,
  t: Topology,
  bg: BlueGreenSettings,
  settings: Settings,
  journal: Journal,
  signal: AbortSignal,
): Promise<void> {
  const { run } = settings;
  const owner =
    `${run.repository ?? 'local'}/${run.runId ?? '0'}.${run.runAttempt ?? '1'}/${Math.random().toString(36).slice(2, 10)}`.replace(
      /[^\w.:/=+@-]/g,
      '_',
    );
  const longest =
    settings.timeoutMs * 2 +
    bg.smokeTimeoutMs +
    bg.steps.length * bg.stepPauseMs +
    bg.bakeTimeMs +
    bg.scaleDownDelayMs;
  const expiresAt = Date.now() + longest + LOCK_MARGIN_MS;
  try {
    await journal.perform(
      { kind: 'lock', cluster: t.cluster, serviceArn: lockSide(t).serviceArn, owner },
      () =>
        acquireLock(
          clients.ecs,
          { cluster: t.cluster, service: lockSide(t).service, serviceArn: lockSide(t).serviceArn },
          { owner, expiresAt },
          { settleMs: LOCK_SETTLE_MS, signal },
        ),
    );
  } catch (err) {
    if ((err as Error).name === 'LockHeldError') throw new RefusedError((err as Error).message);
    throw err;
  }
  core.info(
    `Deploy lock taken (tag ${LOCK_TAG} on ${lockSide(t).service}, until ${new Date(expiresAt).toISOString()}).`,
  );
}
