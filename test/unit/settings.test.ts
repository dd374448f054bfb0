import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readSettings } from '../../src/settings/read-settings.js';
import { formatDuration, parseDuration } from '../../src/settings/values.js';

function ws(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'settings-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const CONFIG = `
cluster: shared
service: web
timeout: 20m
circuit-breaker: false
images:
  web: nginx:1
environments:
  staging:
    cluster: staging
    poll-interval: 2s
  production:
    cluster: production
    services:
      - web
      - name: worker
        images: worker=busybox:2
        desired-count: 3
`;

describe('readSettings', () => {
  it('applies defaults when nothing but the target is given', () => {
    const s = readSettings({ inputs: { cluster: 'c', service: 'web' }, workspace: '/' });
    expect(s).toMatchObject({
      command: 'deploy',
      strategy: 'rolling',
      pinImageDigests: true,
      dryRun: false,
      timeoutMs: 30 * 60_000,
      pollIntervalMs: 5_000,
      rolling: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        circuitBreaker: true,
        rollbackOnFailure: true,
      },
    });
    expect(s.targets).toEqual([
      expect.objectContaining({ cluster: 'c', service: 'web', taskDefinition: { kind: 'service' } }),
    ]);
  });

  it('layers file top level < environment < inputs', () => {
    const dir = ws({ 'deploy.yml': CONFIG });
    const s = readSettings({
      inputs: { config: 'deploy.yml', environment: 'staging', timeout: '5m' },
      workspace: dir,
    });
    expect(s.environment).toBe('staging');
    expect(s.targets[0]).toMatchObject({ cluster: 'staging', service: 'web' });
    expect(s.targets[0]!.overrides.images).toEqual([['web', 'nginx:1']]);
    expect(s.pollIntervalMs).toBe(2_000);
    expect(s.timeoutMs).toBe(5 * 60_000); // input wins over the file's 20m
    expect(s.rolling.circuitBreaker).toBe(false); // from the top level
  });

  it('reads a list of services with their own images and counts', () => {
    const dir = ws({ 'deploy.yml': CONFIG.replace('service: web\n', '') });
    const s = readSettings({ inputs: { config: 'deploy.yml', environment: 'production' }, workspace: dir });
    expect(s.targets.map((t) => [t.cluster, t.service, t.overrides.images, t.desiredCount])).toEqual([
      ['production', 'web', [['web', 'nginx:1']], undefined],
      ['production', 'worker', [['worker', 'busybox:2']], 3],
    ]);
  });

  it('takes services from a comma or newline separated input and refuses duplicates', () => {
    const s = readSettings({ inputs: { cluster: 'c', services: 'a, b\nc' }, workspace: '/' });
    expect(s.targets.map((t) => t.service)).toEqual(['a', 'b', 'c']);
    expect(() => readSettings({ inputs: { cluster: 'c', services: 'a, a' }, workspace: '/' })).toThrow(
      /Input "services" is invalid .*service "a" is listed twice/,
    );
  });

  it('tells existing revisions from files', () => {
    const byName = readSettings({
      inputs: { cluster: 'c', service: 's', 'task-definition': 'web:12' },
      workspace: '/',
    });
    expect(byName.targets[0]!.taskDefinition).toEqual({ kind: 'existing', ref: 'web:12' });
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3';
    const byArn = readSettings({
      inputs: { cluster: 'c', service: 's', 'task-definition': arn },
      workspace: '/',
    });
    expect(byArn.targets[0]!.taskDefinition).toEqual({ kind: 'existing', ref: arn });
  });

  it('refuses service and services together, and an existing revision for register', () => {
    expect(() =>
      readSettings({ inputs: { cluster: 'c', service: 'a', services: 'b' }, workspace: '/' }),
    ).toThrow(/"service" and "services" are both set/);
    expect(() =>
      readSettings({
        inputs: { command: 'register', cluster: 'c', service: 'a', 'task-definition': 'web:3' },
        workspace: '/',
      }),
    ).toThrow(/command "register" needs a JSON file/);
  });

  it('refuses an environment without a config file', () => {
    expect(() =>
      readSettings({ inputs: { cluster: 'c', service: 'a', environment: 'prod' }, workspace: '/' }),
    ).toThrow(/Input "environment" needs a config file/);
  });

  it('reports YAML syntax errors with the line', () => {
    const dir = ws({ 'deploy.yml': 'cluster: a\nservice: [web\n' });
    expect(() => readSettings({ inputs: { config: 'deploy.yml' }, workspace: dir })).toThrow(
      /Config file deploy\.yml line \d: not valid YAML/,
    );
  });
});

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1.5h', 5_400_000],
    ['0', 0],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '-5m', '10 minutes', 'soon', '45', '15'])('%s is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it.each([
    ['timeout', '15', 'did you mean `15m`?'],
    ['poll-interval', '5', 'did you mean `5s`?'],
    ['max-p95-latency', '500', 'did you mean `500ms`?'],
    ['preview-ttl', '72', 'did you mean `72h`?'],
  ])('a bare number for %s is refused with the unit it most likely meant', (input, value, suggestion) => {
    expect(() =>
      readSettings({ inputs: { cluster: 'c', service: 's', [input]: value }, workspace: ws({}) }),
    ).toThrow(suggestion);
  });

  it('a bare number in the config file is refused too, not read as seconds', () => {
    const dir = ws({ 'deploy.yml': 'cluster: a\nservice: web\ntimeout: 15\n' });
    expect(() => readSettings({ inputs: { config: 'deploy.yml' }, workspace: dir })).toThrow(
      /timeout.*"15" has no unit: did you mean `15m`\?/s,
    );
  });

  it('formats for people', () => {
    expect([
      formatDuration(420),
      formatDuration(4200),
      formatDuration(42_000),
      formatDuration(125_000),
    ]).toEqual(['420ms', '4.2s', '42s', '2m5s']);
  });
});
