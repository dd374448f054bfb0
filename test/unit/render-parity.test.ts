/**
 * The render inputs of the official render action, from input text through settings to the
 * rendered definition: docker-labels, log-driver and log-options, container-command, env-files
 * (local files merged, S3 files passed through), per container like the other overrides.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readSettings } from '../../src/settings/read-settings.js';
import type { TaskDefinitionInput } from '../../src/taskdef/normalize.js';
import { render } from '../../src/taskdef/render.js';

const TD: TaskDefinitionInput = {
  family: 'shop',
  containerDefinitions: [
    {
      name: 'web',
      image: 'web:1',
      environment: [{ name: 'MODE', value: 'prod' }],
      dockerLabels: { team: 'shop' },
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/shop' } },
    },
    { name: 'worker', image: 'worker:1' },
  ],
};

function rendered(inputs: Record<string, string>, files: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'render-'));
  mkdirSync(path.join(dir, 'config'));
  writeFileSync(path.join(dir, 'td.json'), JSON.stringify(TD));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const settings = readSettings({
    inputs: { command: 'register', 'task-definition': 'td.json', ...inputs },
    workspace: dir,
    env: {},
  });
  const out = render(TD, settings.targets[0]!.overrides);
  return { web: out.containerDefinitions![0]!, worker: out.containerDefinitions![1]! };
}

describe('docker-labels', () => {
  it('adds or replaces labels on the main container, and on another with a prefix', () => {
    const { web, worker } = rendered({
      'docker-labels': 'team=checkout\ncom.example.tier=web\nworker/queue=orders',
    });
    expect(web.dockerLabels).toEqual({ team: 'checkout', 'com.example.tier': 'web' });
    expect(worker.dockerLabels).toEqual({ queue: 'orders' });
  });
});

describe('log-driver and log-options', () => {
  it('sets options on the existing driver, and a new driver per container', () => {
    const { web, worker } = rendered({
      'log-options': 'awslogs-stream-prefix=shop\nworker/tag=worker',
      'log-driver': 'worker=fluentd',
    });
    expect(web.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/shop', 'awslogs-stream-prefix': 'shop' },
    });
    expect(worker.logConfiguration).toEqual({ logDriver: 'fluentd', options: { tag: 'worker' } });
  });

  it('refuses options for a container without a driver, and an unknown driver', () => {
    expect(() => rendered({ 'log-options': 'worker/tag=x' })).toThrow(/container "worker" has no log driver/);
    expect(() => rendered({ 'log-driver': 'logstash' })).toThrow(
      /Input "log-driver" is invalid.*not a log driver/,
    );
  });
});

describe('container-command', () => {
  it('takes a JSON array or words for the main container, and container=[…] lines for others', () => {
    expect(rendered({ 'container-command': '["node", "server.js", "--port", "8080"]' }).web.command).toEqual([
      'node',
      'server.js',
      '--port',
      '8080',
    ]);
    expect(rendered({ 'container-command': 'npm start' }).web.command).toEqual(['npm', 'start']);
    const both = rendered({ 'container-command': 'web=["npm", "start"]\nworker=["node", "worker.js"]' });
    expect([both.web.command, both.worker.command]).toEqual([
      ['npm', 'start'],
      ['node', 'worker.js'],
    ]);
  });

  it('refuses a malformed array', () => {
    expect(() => rendered({ 'container-command': '["npm", 1' })).toThrow(
      /Input "container-command" is invalid/,
    );
  });
});

describe('env-files', () => {
  it('merges local .env files into the environment (explicit variables win) and passes S3 files through', () => {
    const { web, worker } = rendered(
      {
        'env-files': 'config/shop.env\nworker=config/worker.env\narn:aws:s3:::shop-config/prod.env',
        'environment-variables': 'LOG_LEVEL=warn',
      },
      {
        'config/shop.env': '# shop\nLOG_LEVEL=debug\nexport FEATURE_X="on"\n',
        'config/worker.env': 'QUEUE=orders\n',
      },
    );
    const byName = (l: { name?: string }[] = []) => [...l].sort((a, b) => (a.name! < b.name! ? -1 : 1));
    expect(byName(web.environment)).toEqual([
      { name: 'FEATURE_X', value: 'on' },
      { name: 'LOG_LEVEL', value: 'warn' },
      { name: 'MODE', value: 'prod' },
    ]);
    expect(web.environmentFiles).toEqual([{ value: 'arn:aws:s3:::shop-config/prod.env', type: 's3' }]);
    expect(worker.environment).toEqual([{ name: 'QUEUE', value: 'orders' }]);
  });

  it('names the file and line of a bad entry without showing any value, and refuses a missing file', () => {
    const bad = () =>
      rendered({ 'env-files': 'shop.env' }, { 'shop.env': 'OK=1\nthis is not a pair s3cr3t\n' });
    expect(bad).toThrow(/Input "env-files": shop\.env line 2 is not `NAME=value`/);
    expect(bad).not.toThrow(/s3cr3t/);
    expect(() => rendered({ 'env-files': 'missing.env' })).toThrow(/file missing\.env does not exist/);
    expect(() => rendered({ 'env-files': 'arn:aws:s3:::bucket/not-an-env-file.txt' })).toThrow(
      /not an S3 object ARN/,
    );
  });
});
