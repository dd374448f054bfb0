/**
 * No secret in any output: the task-definition diff shows environment names and whether a value
 * changed, never values; `environment-variables` and `secrets` take one NAME=value per line and
 * their errors never echo a value; credential-looking input text is found for masking.
 */
import { describe, expect, it } from '@jest/globals';
import { credentialsIn } from '../../src/settings/mask.js';
import { readSettings } from '../../src/settings/read-settings.js';
import { diffDefinitions, HIDDEN, HIDDEN_CHANGED } from '../../src/taskdef/diff.js';
import type { TaskDefinitionInput } from '../../src/taskdef/normalize.js';

const def = (env: Record<string, string>, image = 'web:1'): TaskDefinitionInput => ({
  family: 'web',
  containerDefinitions: [
    { name: 'web', image, environment: Object.entries(env).map(([name, value]) => ({ name, value })) },
  ],
});

describe('task-definition diff', () => {
  it('shows a changed value as changed, never the old or new value', () => {
    const diff = diffDefinitions(
      'web:1',
      def({ DB_PASSWORD: 'hunter2-old', MODE: 'blue' }),
      def({ DB_PASSWORD: 'hunter2-new', MODE: 'green' }),
    );
    expect(diff).toContain('"DB_PASSWORD"');
    expect(diff).toContain(HIDDEN_CHANGED);
    for (const v of ['hunter2-old', 'hunter2-new', 'blue', 'green']) expect(diff).not.toContain(v);
  });

  it('shows nothing for an unchanged value, and an added variable by name only', () => {
    const diff = diffDefinitions(
      'web:1',
      def({ KEEP: 'same-value' }, 'web:1'),
      def({ KEEP: 'same-value', NEW_ONE: 'fresh' }, 'web:2'),
    );
    expect(diff).not.toMatch(/^[-+].*KEEP/m);
    expect(diff).toMatch(/^\+.*"NEW_ONE"/m);
    expect(diff).toContain(HIDDEN);
    expect(diff).not.toContain('same-value');
    expect(diff).not.toContain('fresh');
    expect(diff).toMatch(/^\+.*web:2/m);
  });

  it('with values asked for, still hides names that look secret', () => {
    const diff = diffDefinitions(
      'web:1',
      def({ MODE: 'blue', API_TOKEN: 'tok-1' }),
      def({ MODE: 'green', API_TOKEN: 'tok-2' }),
      {
        showValues: true,
      },
    );
    expect(diff).toContain('green');
    expect(diff).not.toContain('tok-1');
    const url = diffDefinitions(
      'web:1',
      def({ DATABASE_URL: 'postgres://a:old-pass-1@db/x' }),
      def({ DATABASE_URL: 'postgres://a:new-pass-2@db/x' }),
      {
        showValues: true,
      },
    );
    expect(url).toContain(HIDDEN_CHANGED);
    expect(url).not.toContain('pass-');
    expect(diff).not.toContain('tok-2');
  });

  it('is empty for equal definitions', () => {
    expect(diffDefinitions('web:1', def({ A: '1' }), def({ A: '1' }))).toBe('');
  });
});

function settingsError(inputs: Record<string, string>): string {
  try {
    readSettings({
      inputs: { command: 'register', 'task-definition': '', ...inputs },
      workspace: '/nonexistent',
    });
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

describe('environment-variables and secrets', () => {
  it('takes one NAME=value per line; a value may hold commas and =', () => {
    const s = readSettings({
      inputs: {
        command: 'register',
        service: 'web',
        cluster: 'prod',
        'environment-variables': 'DB_OPTS=ssl=true,timeout=5\nLIST=a,b,c',
      },
      workspace: '/nonexistent',
    });
    expect(s.targets[0]!.overrides.environment).toEqual([
      ['DB_OPTS', 'ssl=true,timeout=5'],
      ['LIST', 'a,b,c'],
    ]);
  });

  it('names the bad entry, never its value', () => {
    const noName = settingsError({ service: 'web', 'environment-variables': 'A=1\nsuper-secret-value' });
    expect(noName).toMatch(/Input "environment-variables" is invalid: line 2 has no "NAME="/);
    expect(noName).not.toContain('super-secret-value');
    const badName = settingsError({ service: 'web', 'environment-variables': '9X=hunter2' });
    expect(badName).toMatch(/entry 1/);
    expect(badName).not.toContain('hunter2');
    const badRef = settingsError({ service: 'web', secrets: 'DB=not a reference hunter2' });
    expect(badRef).toMatch(/the value of DB is not valid/);
    expect(badRef).not.toContain('hunter2');
    expect(settingsError({ service: 'web', 'environment-variables': 'A=1\nA=2' })).toMatch(/A is set twice/);
  });
});

describe('credentials in inputs', () => {
  it('finds access keys, tokens, URL passwords, secret headers and secret-named values', () => {
    const text = [
      'DB_PASSWORD=correct-horse',
      'MODE=blue',
      'url=https://user:s3cr3tpass@db.example.com/x',
      'AKIAABCDEFGHIJKLMNOP',
      `ghp_${'a'.repeat(36)}`,
      'GET / 200 header:Authorization=Bearer abcdef123456',
    ].join('\n');
    const found = credentialsIn(text);
    for (const s of [
      'correct-horse',
      's3cr3tpass',
      'AKIAABCDEFGHIJKLMNOP',
      `ghp_${'a'.repeat(36)}`,
      'abcdef123456',
    ]) {
      expect(found).toContain(s);
    }
    expect(found).not.toContain('blue');
  });
});
