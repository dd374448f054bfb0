import { describe, expect, it } from '@jest/globals';
import { previousGoodRevision, type RecordedRevision } from '../../src/history/ecs-records.js';
import {
  decodeEntry,
  encodeEntry,
  entriesFromTags,
  HISTORY_TAG_PREFIX,
  type HistoryEntry,
  nextEntries,
  previousGood,
} from '../../src/history/history.js';

const at = new Date('2026-11-27T03:00:00Z');
const deploy = (td: string): HistoryEntry => ({
  taskDefinition: td,
  at,
  commit: '0123456789ab',
  runId: '42',
  kind: 'deploy',
});

describe('deployment history', () => {
  it('round-trips entries through tag values that ECS accepts', () => {
    const entry: HistoryEntry = {
      taskDefinition: 'web:7',
      at,
      commit: '0123456789ab',
      runId: '9001',
      kind: 'rollback',
      replaced: 'web:8',
      reason: 'checkout errors (500s) after 1.4.2!',
    };
    const value = encodeEntry(entry);
    expect(value).toMatch(/^[\p{L}\p{N} +\-=._:/@]{1,256}$/u);
    expect(decodeEntry(value)).toEqual({ ...entry, reason: 'checkout errors 500s after 1.4.2' });
    expect(decodeEntry(encodeEntry(deploy('web:3')))).toEqual({
      ...deploy('web:3'),
      replaced: undefined,
      reason: undefined,
    });
  });

  it('reads entries newest first and skips unreadable ones', () => {
    const tags = [
      { key: `${HISTORY_TAG_PREFIX}2`, value: encodeEntry(deploy('web:2')) },
      { key: 'team', value: 'shop' },
      { key: `${HISTORY_TAG_PREFIX}1`, value: encodeEntry(deploy('web:3')) },
      { key: `${HISTORY_TAG_PREFIX}3`, value: 'edited by hand' },
    ];
    expect(entriesFromTags(tags).map((e) => e.taskDefinition)).toEqual(['web:3', 'web:2']);
  });

  it('finds the last good revision before the live one, not revision - 1', () => {
    // web:4 failed and was never recorded; web:5 is live.
    expect(previousGood([deploy('web:5'), deploy('web:3'), deploy('web:2')], 'web:5')?.taskDefinition).toBe(
      'web:3',
    );
  });

  it('never returns to a revision a rollback replaced', () => {
    const entries: HistoryEntry[] = [
      { ...deploy('web:2'), kind: 'rollback', replaced: 'web:3', reason: 'bad' },
      deploy('web:3'),
      deploy('web:2'),
      deploy('web:1'),
    ];
    expect(previousGood(entries, 'web:2')?.taskDefinition).toBe('web:1');
  });

  it('has no previous entry when only the live revision was recorded', () => {
    expect(previousGood([deploy('web:5'), deploy('web:5')], 'web:5')).toBeUndefined();
    expect(previousGood([], 'web:5')).toBeUndefined();
  });
});

describe('history written to tags', () => {
  it('adds nothing for identical re-runs and keeps one entry per revision, so repeats never evict the last good one', () => {
    const existing = [deploy('web:9'), deploy('web:8'), deploy('web:7')];
    expect(nextEntries(deploy('web:9'), existing, 10).map((e) => e.taskDefinition)).toEqual([
      'web:9',
      'web:8',
      'web:7',
    ]);
    let entries: HistoryEntry[] = [deploy('web:8')];
    for (let i = 0; i < 10; i++) entries = nextEntries(deploy('web:9'), entries, 10);
    expect(entries.map((e) => e.taskDefinition)).toEqual(['web:9', 'web:8']);
  });

  it('fits in the room the user tags leave', () => {
    const existing = Array.from({ length: 9 }, (_, i) => deploy(`web:${i + 1}`));
    expect(nextEntries(deploy('web:10'), existing, 3)).toHaveLength(3);
    expect(nextEntries(deploy('web:10'), existing, 0)).toEqual([]);
  });

  it('writes tag values within ECS limits', () => {
    const long = encodeEntry({
      ...deploy('web:1'),
      kind: 'rollback',
      replaced: 'web:2',
      reason: 'x'.repeat(400),
    });
    expect(long.length).toBeLessThanOrEqual(256);
    expect(long).toMatch(/^[\p{L}\p{N} _.:/=+\-@]+$/u);
  });
});

describe('the previous good revision from ECS records', () => {
  const arn = (r: string) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${r}`;
  const rec = (r: string, good = true): RecordedRevision => ({
    taskDefinitionArn: arn(r),
    at,
    good,
    serviceDeploymentArn: `sd-${r}`,
  });
  const all = async () => true;

  it('skips the live revision, repeats of it, other families and revisions proved bad', async () => {
    const records = [
      rec('web:9'),
      rec('web:9'),
      rec('other:3'),
      rec('web:8', false),
      rec('web:8'),
      rec('web:7'),
    ];
    expect((await previousGoodRevision(records, arn('web:9'), all))?.taskDefinitionArn).toBe(arn('web:7'));
  });

  it('tries an older revision when the newest good one is no longer ACTIVE', async () => {
    const records = [rec('web:9'), rec('web:8'), rec('web:7')];
    const active = async (a: string) => a !== arn('web:8');
    expect((await previousGoodRevision(records, arn('web:9'), active))?.taskDefinitionArn).toBe(arn('web:7'));
    expect(await previousGoodRevision([rec('web:9')], arn('web:9'), all)).toBeUndefined();
  });
});
