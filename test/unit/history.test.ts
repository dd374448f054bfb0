import { describe, expect, it } from '@jest/globals';
import {
  decodeEntry,
  encodeEntry,
  entriesFromTags,
  HISTORY_TAG_PREFIX,
  type HistoryEntry,
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
