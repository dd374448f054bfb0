/**
 * The release lock: one release at a time per production listener, for every strategy that
 * moves traffic or replaces what a listener serves. It is a listener rule at a reserved priority
 * (aws/lock-rule.ts): `CreateRule` refuses a second creator atomically, where tags were
 * last-writer-wins. A run takes it (waiting up to `lock-timeout` for a live holder, taking over
 * the expired lock of a dead run), renews it while it runs, checks it is still its own before
 * every traffic change and every undo, and releases it only if it still names it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  createLockRule,
  deleteLockRule,
  describeHolder,
  type HeldLock,
  type LockHolder,
  newToken,
  readLockRule,
  renewLockRule,
  ruleHolder,
} from '../aws/lock-rule.js';
import type { RunContext } from '../settings/settings.js';
import type { Journal } from './journal.js';

/** A lock whose holder stopped renewing it (a dead run) can be taken over this long after. */
export const LOCK_TTL_MS = 5 * 60_000;

export class LockHeldError extends Error {
  override name = 'LockHeldError';
}

export class LockLostError extends Error {
  override name = 'LockLostError';
}

export interface RunIdentity {
  runUrl: string;
  actor: string;
  commit: string;
}

/** The run as GitHub names it: the run's URL (with its attempt), the actor and the commit. */
export function runIdentity(run: RunContext): RunIdentity {
  const attempt = run.runAttempt && run.runAttempt !== '1' ? `/attempts/${run.runAttempt}` : '';
  return {
    runUrl: `${run.serverUrl}/${run.repository ?? 'local'}/actions/runs/${run.runId ?? '0'}${attempt}`,
    actor: run.actor ?? 'unknown',
    commit: run.sha ?? '-',
  };
}

export interface AcquireOptions {
  /** How long to wait for a live holder before giving up. */
  timeoutMs: number;
  /** Expiry of the lock; the holder renews it every third of this. */
  ttlMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  log: (line: string) => void;
  warn: (line: string) => void;
  now?: () => number;
}

export interface ListenerLock {
  readonly listenerArn: string;
  readonly ruleArn: string;
  readonly holder: LockHolder;
  /** The expired lock of a dead run this run took over, if any. */
  readonly tookOver?: LockHolder;
  /** Throws LockLostError unless the rule still exists and names this run. */
  verify(): Promise<void>;
  /** Delete the rule if it is still ours; false when it was not (left alone). */
  release(): Promise<boolean>;
  /** Stop renewing (the rule stays until released or expired). */
  stopRenewing(): void;
}

/**
 * Take the lock of `listenerArn`. `token` is this acquisition's identity, chosen (and journaled)
 * by the caller before the first create, so an undo can find the rule even when the create's
 * answer was lost.
 */
export async function acquireListenerLock(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string,
  scope: string,
  identity: RunIdentity,
  token: string,
  options: AcquireOptions,
): Promise<ListenerLock> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const poll = options.pollMs ?? 2_000;
  const holder: LockHolder = { token, ...identity, scope, expiresAt: now() + options.ttlMs };
  let tookOver: LockHolder | undefined;
  let waitingFor: string | undefined;

  for (;;) {
    holder.expiresAt = now() + options.ttlMs;
    let created: string | 'in-use' | undefined;
    try {
      created = await createLockRule(elb, listenerArn, holder);
    } catch (err) {
      // A 5xx may hide a create that landed: the read below finds out whose rule stands.
      options.warn(
        `Taking the release lock: ${(err as Error).name}: ${(err as Error).message}; reading who holds it.`,
      );
    }
    if (created && created !== 'in-use')
      return held(elb, listenerArn, { ruleArn: created, holder }, tookOver, options);

    const current = await readLockRule(elb, listenerArn);
    if (!current) continue; // released between our create and our read: try again at once
    if (!current.holder) {
      throw new LockHeldError(
        `Listener rule priority 50000 on ${listenerArn} is taken by a rule that is not a release lock (${current.ruleArn}); the release lock needs that priority free. Nothing was changed.`,
      );
    }
    if (current.holder.token === holder.token) {
      return held(elb, listenerArn, { ruleArn: current.ruleArn, holder }, tookOver, options);
    }
    if (current.holder.expiresAt <= now()) {
      // A dead run's lock: delete exactly that rule (by the ARN just read) and try again.
      options.warn(`Taking over the expired release lock of ${describeHolder(current.holder)}.`);
      await deleteLockRule(elb, current.ruleArn);
      tookOver = current.holder;
      continue;
    }
    const who = describeHolder(current.holder);
    if (now() >= deadline) {
      throw new LockHeldError(
        `Another release holds the release lock: ${who}. Waited ${Math.round(options.timeoutMs / 1000)} s (input "lock-timeout"); nothing was changed.`,
      );
    }
    if (waitingFor !== current.holder.token) {
      options.log(`Waiting for the release lock, held by ${who}.`);
      waitingFor = current.holder.token;
    }
    await sleep(Math.max(0, Math.min(poll, deadline - now())), undefined, { signal: options.signal });
  }
}

function held(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string,
  lock: HeldLock,
  tookOver: LockHolder | undefined,
  options: AcquireOptions,
): ListenerLock {
  const now = options.now ?? Date.now;
  let lost: string | undefined;
  const renew = async () => {
    try {
      const h = await ruleHolder(elb, lock.ruleArn);
      if (h?.token !== lock.holder.token) {
        lost = 'the lock rule is gone or names another run';
        return;
      }
      lock.holder.expiresAt = now() + options.ttlMs;
      await renewLockRule(elb, lock.ruleArn, lock.holder.expiresAt);
    } catch (err) {
      options.warn(`Renewing the release lock: ${(err as Error).message}`);
    }
  };
  const timer = setInterval(() => void renew(), Math.max(1_000, Math.floor(options.ttlMs / 3)));
  timer.unref();
  return {
    listenerArn,
    ruleArn: lock.ruleArn,
    holder: lock.holder,
    tookOver,
    async verify() {
      const h = await ruleHolder(elb, lock.ruleArn);
      if (lost || h?.token !== lock.holder.token) {
        throw new LockLostError(
          `The release lock is no longer held by this run (${lost ?? (h ? `it names ${describeHolder(h)}` : 'its rule is gone')}); stopping before changing anything else.`,
        );
      }
      if (h.expiresAt <= now()) {
        throw new LockLostError(
          'The release lock of this run expired; stopping before changing anything else.',
        );
      }
    },
    async release() {
      clearInterval(timer);
      return releaseLockRule(elb, lock.ruleArn, lock.holder.token);
    },
    stopRenewing() {
      clearInterval(timer);
    },
  };
}

/** Delete the lock rule only if its tags still carry `token` (also used by the post step). */
export async function releaseLockRule(
  elb: ElasticLoadBalancingV2Client,
  ruleArn: string,
  token: string,
): Promise<boolean> {
  const h = await ruleHolder(elb, ruleArn);
  if (h?.token !== token) return false;
  await deleteLockRule(elb, ruleArn);
  return true;
}

/**
 * The journal's view of the lock, for undo and the post step: find the rule at the lock's
 * priority and release it if it carries `token`. Never deletes a rule it did not read as ours.
 */
export async function releaseLockOf(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string,
  token: string,
): Promise<boolean> {
  const current = await readLockRule(elb, listenerArn);
  if (!current || current.holder?.token !== token) return false;
  return releaseLockRule(elb, current.ruleArn, token);
}

/** True while the lock of `listenerArn` still carries `token` and has not expired. */
export async function stillHeld(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string,
  token: string,
  now = Date.now(),
): Promise<boolean> {
  const current = await readLockRule(elb, listenerArn);
  return current?.holder?.token === token && current.holder.expiresAt > now;
}

/** The listener a listener rule belongs to (`listener-rule/app/…/<rule>` → `listener/app/…`). */
export function listenerOf(listenerOrRuleArn: string): string {
  return listenerOrRuleArn.includes(':listener-rule/')
    ? listenerOrRuleArn.replace(':listener-rule/', ':listener/').replace(/\/[^/]+$/, '')
    : listenerOrRuleArn;
}

export { newToken };

/**
 * Take the locks of several listeners, each as a journaled step, in ARN order so that two runs
 * wanting the same listeners never wait on each other in a circle.
 */
export async function takeLocks(
  elb: ElasticLoadBalancingV2Client,
  journal: Journal,
  listenerArns: string[],
  scope: string,
  run: RunContext,
  options: AcquireOptions,
): Promise<ListenerLock[]> {
  const locks: ListenerLock[] = [];
  for (const listenerArn of [...new Set(listenerArns)].sort()) {
    const token = newToken();
    locks.push(
      await journal.perform({ kind: 'lock', listenerArn, token }, () =>
        acquireListenerLock(elb, listenerArn, scope, runIdentity(run), token, options),
      ),
    );
  }
  if (locks.length)
    journal.guard(async () => {
      for (const l of locks) await l.verify();
    });
  return locks;
}
