/**
 * Previews are isolated by construction: settings come from the base commit's config file only
 * (checked to be at the event's base commit), and a preview's task definition carries no role
 * or secret of the base service, only those the base config names for previews.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { isolatePreview } from '../../src/preview/task-definition.js';
import { readSettings } from '../../src/settings/read-settings.js';
import type { ServiceTarget } from '../../src/settings/settings.js';

const BASE = 'b'.repeat(40);
const HEAD = 'c'.repeat(40);
const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/p/0123456789abcdef/0123456789abcdef';

function checkout(at: string, config: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'base-checkout-'));
  mkdirSync(path.join(dir, '.git'));
  writeFileSync(path.join(dir, '.git', 'HEAD'), `${at}\n`);
  mkdirSync(path.join(dir, '.github'));
  writeFileSync(path.join(dir, '.github', 'deploy.yml'), config);
  return dir;
}

function event(baseSha: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'event-')), 'event.json');
  writeFileSync(
    file,
    JSON.stringify({ number: 7, pull_request: { number: 7, head: { sha: HEAD }, base: { sha: baseSha } } }),
  );
  return file;
}

const CONFIG = `cluster: demo\nservice: web\npreview-listener: ${LISTENER}\npreview-domain: preview.example.com\npreview-task-role-arn: arn:aws:iam::123456789012:role/preview-task\n`;

describe('preview settings', () => {
  it('come from the base commit config', () => {
    const dir = checkout(BASE, CONFIG);
    const s = readSettings({
      inputs: { command: 'preview-up', 'base-config': '.github/deploy.yml' },
      workspace: dir,
      env: { GITHUB_EVENT_PATH: event(BASE) },
    });
    expect(s.preview?.listener).toBe(LISTENER);
    expect(s.preview?.taskRoleArn).toBe('arn:aws:iam::123456789012:role/preview-task');
  });

  it('refuse a config file whose checkout is not at the base commit', () => {
    const dir = checkout(HEAD, CONFIG);
    expect(() =>
      readSettings({
        inputs: { command: 'preview-up', 'base-config': '.github/deploy.yml' },
        workspace: dir,
        env: { GITHUB_EVENT_PATH: event(BASE) },
      }),
    ).toThrow(
      `Input "base-config": .github/deploy.yml is at commit ${HEAD}, not at the pull request's base commit ${BASE}.`,
    );
  });

  it("take the pull request's environment values only for names the base config allows", () => {
    const dir = checkout(BASE, `${CONFIG}preview-allowed-environment: [FEATURE_FLAG, LOG_LEVEL]\n`);
    const read = (values: string) =>
      readSettings({
        inputs: { command: 'preview-up', 'base-config': '.github/deploy.yml', 'preview-environment': values },
        workspace: dir,
        env: { GITHUB_EVENT_PATH: event(BASE) },
      });
    expect(read('FEATURE_FLAG=new-checkout,beta=1\nLOG_LEVEL=debug').preview?.environment).toEqual([
      ['FEATURE_FLAG', 'new-checkout,beta=1'],
      ['LOG_LEVEL', 'debug'],
    ]);
    const refused = () => read('LOG_LEVEL=debug\nAWS_SECRET_ACCESS_KEY=hunter2-not-for-logs');
    expect(refused).toThrow(
      'Input "preview-environment" sets AWS_SECRET_ACCESS_KEY, which the base config does not allow for previews. Expected: only names listed in "preview-allowed-environment" of the base config (FEATURE_FLAG, LOG_LEVEL).',
    );
    expect(() => refused()).not.toThrow(/hunter2/);
  });

  it('refuse every pull-request environment value when the base config allows none', () => {
    const dir = checkout(BASE, CONFIG);
    expect(() =>
      readSettings({
        inputs: {
          command: 'preview-up',
          'base-config': '.github/deploy.yml',
          'preview-environment': 'LOG_LEVEL=debug',
        },
        workspace: dir,
        env: { GITHUB_EVENT_PATH: event(BASE) },
      }),
    ).toThrow(/sets LOG_LEVEL, which the base config does not allow .*\(none\)\.$/);
  });

  it('refuse "config" for preview commands, and "base-config" for the others', () => {
    const dir = checkout(BASE, CONFIG);
    expect(() =>
      readSettings({ inputs: { command: 'preview-up', config: '.github/deploy.yml' }, workspace: dir }),
    ).toThrow(/Input "config" is not read by command "preview-up".*Expected: "base-config"/);
    expect(() =>
      readSettings({ inputs: { command: 'deploy', 'base-config': '.github/deploy.yml' }, workspace: dir }),
    ).toThrow(/Input "base-config" is only read by the preview commands/);
  });
});

describe('a preview task definition', () => {
  const target = { overrides: {} } as ServiceTarget;
  const production = {
    family: 'web',
    taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
    executionRoleArn: 'arn:aws:iam::123456789012:role/web-execution',
    containerDefinitions: [
      {
        name: 'web',
        image: 'web:1',
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod-db' },
        ],
        repositoryCredentials: {
          credentialsParameter: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:reg',
        },
        logConfiguration: { logDriver: 'awslogs' as const, options: { 'awslogs-group': '/ecs/web' } },
      },
    ],
  };

  it('has no role or secret of the base service when the base config names none', () => {
    const def = isolatePreview(production, target, { secrets: [], environment: [] });
    expect(def.taskRoleArn).toBeUndefined();
    expect(def.executionRoleArn).toBeUndefined();
    const [c] = def.containerDefinitions!;
    expect(c!.secrets).toBeUndefined();
    expect(c!.repositoryCredentials).toBeUndefined();
    expect(c!.logConfiguration).toBeUndefined();
    expect(production.taskRoleArn).toBe('arn:aws:iam::123456789012:role/web-task');
  });

  it('has exactly the preview roles and secrets the base config names', () => {
    const def = isolatePreview(production, target, {
      taskRoleArn: 'arn:aws:iam::123456789012:role/preview-task',
      executionRoleArn: 'arn:aws:iam::123456789012:role/preview-execution',
      secrets: [['DB_PASSWORD', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:preview-db']],
      environment: [],
    });
    expect(def.taskRoleArn).toBe('arn:aws:iam::123456789012:role/preview-task');
    expect(def.executionRoleArn).toBe('arn:aws:iam::123456789012:role/preview-execution');
    expect(def.containerDefinitions![0]!.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:preview-db' },
    ]);
    expect(def.containerDefinitions![0]!.logConfiguration?.logDriver).toBe('awslogs');
  });

  it("carries the pull request's allowed environment values in its container", () => {
    const def = isolatePreview(production, target, { secrets: [], environment: [['LOG_LEVEL', 'debug']] });
    expect(def.containerDefinitions![0]!.environment).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
  });
});
