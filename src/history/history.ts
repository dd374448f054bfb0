/**
 * Deployment history, kept in AWS next to the service so it outlives any runner: one tag per
 * entry (`deploy-action:history:1` is the newest), each saying which task definition became
 * live, when, from which commit and run, and whether it was a deploy or a rollback (with its
 * reason). The rollback command reads it to find the last known good revision — which is not
 * "revision − 1" when a failed or skipped revision sits in between.
 */
import {
  type ECSClient,
  ListTagsForResourceCommand,
  type Tag,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { familyRevision } from '../aws/arn.js';
import type { RunContext } from '../settings/settings.js';

export const HISTORY_TAG_PREFIX = 'deploy-action:history:';
/** Entries kept; ECS allows 50 tags per resource and the user's own tags need room. */
export const HISTORY_LENGTH = 10;

export interface HistoryEntry {
  /** `family:revision` of the task definition that became live. */
  taskDefinition: string;
  at: Date;
  commit?: string;
  runId?: string;
  kind: 'deploy' | 'rollback';
  /** For a rollback: the `family:revision` it replaced, which is then not good any more. */
  replaced?: string;
  reason?: string;
}

/** ECS tag values allow letters, digits, spaces and `+ - = . _ : / @`, up to 256 characters. */
function tagSafe(text: string): string {
  return text
    .replace(/[^\p{L}\p{N} +\-=._:/@]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function encodeEntry(e: HistoryEntry): string {
  const fields = [
    e.taskDefinition,
    e.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    e.commit ? e.commit.slice(0, 12) : '-',
    e.runId ? tagSafe(e.runId) : '-',
    e.kind === 'rollback' && e.replaced ? `rollback=${e.replaced}` : e.kind,
  ].join(' ');
  return e.reason ? `${fields} ${tagSafe(e.reason)}`.slice(0, 256) : fields;
}

export function decodeEntry(value: string): HistoryEntry | undefined {
  const m = /^(\S+:\d+) (\S+) (\S+) (\S+) (deploy|rollback)(?:=(\S+:\d+))?(?: (.*))?$/.exec(value);
  if (!m) return undefined;
  const at = new Date(m[2]!);
  if (Number.isNaN(at.getTime())) return undefined;
  return {
    taskDefinition: m[1]!,
    at,
    commit: m[3] === '-' ? undefined : m[3],
    runId: m[4] === '-' ? undefined : m[4],
    kind: m[5] as HistoryEntry['kind'],
    replaced: m[6],
    reason: m[7],
  };
}

/** Newest first. Unreadable entries (edited by hand) are skipped, not fatal. */
export function entriesFromTags(tags: Tag[]): HistoryEntry[] {
  return tags
    .filter((t) => t.key?.startsWith(HISTORY_TAG_PREFIX))
    .map((t) => ({ n: Number(t.key!.slice(HISTORY_TAG_PREFIX.length)), entry: decodeEntry(t.value ?? '') }))
    .filter((x): x is { n: number; entry: HistoryEntry } => Number.isInteger(x.n) && !!x.entry)
    .sort((a, b) => a.n - b.n)
    .map((x) => x.entry);
}

export async function readHistory(ecs: ECSClient, serviceArn: string): Promise<HistoryEntry[]> {
  const out = await ecs
    .send(new ListTagsForResourceCommand({ resourceArn: serviceArn }))
    .catch((err: Error) => {
      throw new Error(`Reading the deployment history of ${serviceArn}: ${err.name}: ${err.message}`);
    });
  return entriesFromTags(out.tags ?? []);
}

/** ECS allows 50 tags per resource (AWS-reserved `aws:` tags do not count). */
export const MAX_TAGS = 50;

/**
 * The entries to keep after `entry`: an identical re-run (same revision, same kind) adds
 * nothing; each revision keeps only its newest entry, so repeats never push an older good
 * revision out; at most `room` entries.
 */
export function nextEntries(entry: HistoryEntry, existing: HistoryEntry[], room: number): HistoryEntry[] {
  const same = (a: HistoryEntry, b: HistoryEntry) =>
    a.taskDefinition === b.taskDefinition && a.kind === b.kind && a.replaced === b.replaced;
  const entries = [entry];
  for (const e of existing) if (!entries.some((k) => same(k, e))) entries.push(e);
  return entries.slice(0, Math.max(0, room));
}

/**
 * Put `entry` first, in one TagResource call, within the tags the service has room for: the
 * user's own tags come first, so a service with many of them keeps a shorter history rather
 * than none (and never fails the write). Entries that no longer fit are removed.
 */
export async function recordHistory(
  ecs: ECSClient,
  serviceArn: string,
  entry: HistoryEntry,
): Promise<HistoryEntry[]> {
  const fail = (err: Error) => {
    throw new Error(
      `Recording ${entry.taskDefinition} in the deployment history of ${serviceArn}: ${err.name}: ${err.message}`,
    );
  };
  const tags =
    (await ecs.send(new ListTagsForResourceCommand({ resourceArn: serviceArn })).catch(fail)).tags ?? [];
  const ours = tags.filter((t) => t.key?.startsWith(HISTORY_TAG_PREFIX));
  const others = tags.filter((t) => !t.key?.startsWith(HISTORY_TAG_PREFIX) && !t.key?.startsWith('aws:'));
  const existing = entriesFromTags(tags);
  // An identical re-run adds no entry.
  const newest = existing[0];
  if (
    newest &&
    newest.taskDefinition === entry.taskDefinition &&
    newest.kind === entry.kind &&
    newest.replaced === entry.replaced
  ) {
    return existing;
  }
  const room = Math.min(HISTORY_LENGTH, MAX_TAGS - others.length);
  const entries = nextEntries(entry, existing, room);
  if (entries.length === 0) {
    throw new Error(
      `No room to record ${entry.taskDefinition} in the deployment history of ${serviceArn}: the service has ${others.length} of ${MAX_TAGS} tags of its own. Rollback still works from ECS's own deployment records.`,
    );
  }
  const keep = new Set(entries.map((_, i) => `${HISTORY_TAG_PREFIX}${i + 1}`));
  const stale = ours.map((t) => t.key!).filter((k) => !keep.has(k));
  // Drop what no longer fits first, so the write below stays within the limit.
  if (stale.length)
    await ecs.send(new UntagResourceCommand({ resourceArn: serviceArn, tagKeys: stale })).catch(fail);
  await ecs
    .send(
      new TagResourceCommand({
        resourceArn: serviceArn,
        tags: entries.map((e, i) => ({ key: `${HISTORY_TAG_PREFIX}${i + 1}`, value: encodeEntry(e) })),
      }),
    )
    .catch(fail);
  return entries;
}

/**
 * The last known good revision before the live one: the newest entry that is neither the live
 * revision nor one that a rollback replaced since (rolled back from means known bad).
 */
export function previousGood(entries: HistoryEntry[], liveTaskDefinition: string): HistoryEntry | undefined {
  const bad = new Set<string>([liveTaskDefinition]);
  for (const e of entries) {
    if (!bad.has(e.taskDefinition)) return e;
    if (e.replaced) bad.add(e.replaced);
  }
  return undefined;
}

/** The history entry for this run: the commit and run id it came from. */
export function entryForThisRun(
  run: Pick<RunContext, 'sha' | 'runId'>,
  taskDefinitionArn: string,
  rollback?: { replacedArn: string; reason: string },
): HistoryEntry {
  return {
    taskDefinition: familyRevision(taskDefinitionArn),
    at: new Date(),
    commit: run.sha,
    runId: run.runId,
    kind: rollback ? 'rollback' : 'deploy',
    replaced: rollback ? familyRevision(rollback.replacedArn) : undefined,
    reason: rollback?.reason,
  };
}
