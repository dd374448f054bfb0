import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  previewNames,
  resourceNames,
  TARGET_GROUP_NAME_MAX,
  targetGroupName,
} from '../../src/preview/naming.js';
import { ensureRule, lowestFreePriority } from '../../src/preview/rule.js';
import { decide } from '../../src/preview/sweep.js';
import { ensureTargetGroup } from '../../src/preview/target-group.js';
import { PREVIEW_DEFAULTS, type PreviewSettings } from '../../src/settings/preview.js';
import { readSettings } from '../../src/settings/read-settings.js';

const VALID_TG = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

const preview: PreviewSettings = {
  ...PREVIEW_DEFAULTS,
  listener:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/p/0123456789abcdef/0123456789abcdef',
  domain: 'preview.example.com',
  smokeTests: [],
  secrets: [],
  environment: [],
};

describe('preview names', () => {
  it('keeps a short valid name as it is', () => {
    expect(targetGroupName('web', 12)).toBe('web-pr-12');
    expect(previewNames('web', 12, preview)).toMatchObject({
      service: 'web-pr-12',
      family: 'web-pr-12',
      targetGroup: 'web-pr-12',
      environment: 'pr-12',
      url: 'https://pr-12.preview.example.com',
      condition: { field: 'host-header', values: ['pr-12.preview.example.com'] },
    });
  });

  it('cuts long names deterministically and adds a hash, always within 32 valid characters', () => {
    const app = 'customer-notification-dispatcher-service';
    const name = targetGroupName(app, 123456);
    expect(name).toBe(targetGroupName(app, 123456));
    expect(name.length).toBeLessThanOrEqual(TARGET_GROUP_NAME_MAX);
    expect(name).toMatch(VALID_TG);
    expect(name).toMatch(/^customer-notifi-pr-123456-[0-9a-f]{6}$/);
  });

  it('gives distinct names where cutting or cleaning would collide', () => {
    const names = [
      targetGroupName('customer-notification-dispatcher-a', 7),
      targetGroupName('customer-notification-dispatcher-b', 7),
      targetGroupName('web_api', 7),
      targetGroupName('web-api', 7),
      targetGroupName('_web', 7),
      targetGroupName('web', 7),
      targetGroupName('___', 7),
      targetGroupName('x'.repeat(255), 999_999_999),
    ];
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(TARGET_GROUP_NAME_MAX);
      expect(n).toMatch(VALID_TG);
    }
  });

  it('routes by path when asked, matching the bare prefix and everything under it', () => {
    expect(previewNames('web', 5, { ...preview, routing: 'path' })).toMatchObject({
      url: 'https://preview.example.com/pr-5/',
      condition: { field: 'path-pattern', values: ['/pr-5', '/pr-5/*'] },
    });
  });

  it('derives resource names without a domain (what removal needs)', () => {
    expect(resourceNames('web', 3)).toEqual({
      app: 'web',
      pullRequest: 3,
      service: 'web-pr-3',
      family: 'web-pr-3',
      targetGroup: 'web-pr-3',
      environment: 'pr-3',
    });
  });
});

describe('rule priorities', () => {
  const rule = (priority: string, arn = `arn:rule/${priority}`) => ({
    RuleArn: arn,
    Priority: priority,
    IsDefault: false,
  });

  it('takes the lowest free priority of the range', () => {
    expect(lowestFreePriority([rule('1000'), rule('1002')], { from: 1000, to: 2000 })).toBe(1001);
    expect(lowestFreePriority([rule('1'), rule('2')], { from: 1, to: 2 })).toBeUndefined();
  });

  const names = previewNames('web', 12, preview);
  const tags = { app: 'web', repository: 'o/r', pullRequest: 12, commit: 'abc', created: 'x', expires: 'y' };
  const options = {
    listenerArn: preview.listener,
    names,
    targetGroupArn: 'arn:tg',
    tags,
    priorities: { from: 1000, to: 2000 },
  };

  it('chooses again when another rule takes the priority at the same moment', async () => {
    const elb = mockClient(ElasticLoadBalancingV2Client);
    elb
      .on(DescribeRulesCommand)
      .resolvesOnce({ Rules: [] })
      .resolves({ Rules: [rule('1000', 'arn:other')] });
    elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: 'arn:other', Tags: [] }] });
    elb
      .on(CreateRuleCommand)
      .rejectsOnce(
        Object.assign(new Error("Priority '1000' is currently in use"), { name: 'PriorityInUseException' }),
      )
      .resolves({ Rules: [{ RuleArn: 'arn:mine' }] });
    const log: string[] = [];
    const out = await ensureRule(elb as unknown as ElasticLoadBalancingV2Client, {
      ...options,
      log: (l) => log.push(l),
    });
    expect(out).toEqual({ arn: 'arn:mine', priority: 1001, created: true });
    expect(elb.commandCalls(CreateRuleCommand).map((c) => c.args[0].input.Priority)).toEqual([1000, 1001]);
    expect(log.join('\n')).toContain('taken at the same moment');
    elb.restore();
  });

  it('turns the rule quota into advice to sweep', async () => {
    const elb = mockClient(ElasticLoadBalancingV2Client);
    elb.on(DescribeRulesCommand).resolves({ Rules: [] });
    elb.on(CreateRuleCommand).rejects(
      Object.assign(new Error('You’ve reached the limit on the number of rules per load balancer'), {
        name: 'TooManyRulesException',
      }),
    );
    await expect(
      ensureRule(elb as unknown as ElasticLoadBalancingV2Client, { ...options, log: () => {} }),
    ).rejects.toThrow(/quota of listener rules .*`command: preview-sweep`/);
    elb.restore();
  });

  it('turns the target-group quota into advice to sweep', async () => {
    const elb = mockClient(ElasticLoadBalancingV2Client);
    elb
      .on(DescribeTargetGroupsCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'TargetGroupNotFoundException' }));
    elb
      .on(CreateTargetGroupCommand)
      .rejects(Object.assign(new Error('limit'), { name: 'TooManyTargetGroupsException' }));
    await expect(
      ensureTargetGroup(
        elb as unknown as ElasticLoadBalancingV2Client,
        names,
        { Protocol: 'HTTP', Port: 80 },
        tags,
      ),
    ).rejects.toThrow(/quota of target groups .*`command: preview-sweep`/);
    elb.restore();
  });
});

describe('sweep decisions', () => {
  const now = new Date('2026-11-27T04:00:00Z');
  const found = (expires: string) => ({
    app: 'web',
    pullRequest: 5,
    expires: new Date(expires),
    commit: 'abc',
    resources: [],
  });

  it('removes an expired preview without asking GitHub', async () => {
    const ask = async () => {
      throw new Error('must not be asked');
    };
    expect(await decide(found('2026-11-27T03:59:59Z'), now, ask)).toEqual({ remove: true, why: 'expired' });
  });

  it('removes a closed pull request, keeps an open one, keeps one it cannot ask about', async () => {
    const later = found('2026-12-01T00:00:00Z');
    expect(await decide(later, now, async () => 'closed')).toEqual({ remove: true, why: 'closed' });
    expect((await decide(later, now, async () => 'open')).remove).toBe(false);
    expect((await decide(later, now, undefined)).remove).toBe(false);
    const broken = async (): Promise<'open'> => {
      throw new Error('HTTP 502');
    };
    expect(await decide(later, now, broken)).toMatchObject({
      remove: false,
      why: expect.stringContaining('HTTP 502'),
    });
  });
});

describe('preview settings', () => {
  const LISTENER =
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/preview/0123456789abcdef/0123456789abcdef';
  const read = (inputs: Record<string, string>) =>
    readSettings({
      inputs: {
        command: 'preview-up',
        cluster: 'c',
        service: 'web',
        'preview-listener': LISTENER,
        ...inputs,
      },
      workspace: '/',
    });

  it('applies the preview defaults: one task, host routing, a week to live', () => {
    expect(read({ 'preview-domain': 'Preview.Example.com' }).preview).toMatchObject({
      listener: LISTENER,
      domain: 'preview.example.com',
      routing: 'host',
      desiredCount: 1,
      ttlMs: 7 * 24 * 3_600_000,
      priorities: { from: 1000, to: 50_000 },
    });
  });

  it('reads the input-only pull request and token, and the shared smoke-test keys', () => {
    const p = read({
      'preview-domain': 'preview.example.com',
      'pull-request': '12',
      'github-token': 'ghs_x',
      'smoke-tests': 'GET /health 200',
      'preview-priority-range': '2000-2099',
      'preview-ttl': '72h',
    }).preview;
    expect(p).toMatchObject({
      pullRequest: 12,
      githubToken: 'ghs_x',
      priorities: { from: 2000, to: 2099 },
      ttlMs: 72 * 3_600_000,
    });
    expect(p?.smokeTests.map((t) => `${t.method} ${t.path} ${t.status}`)).toEqual(['GET /health 200']);
  });

  it('needs a domain to bring a preview up, but not to sweep', () => {
    expect(() => read({})).toThrow(/Input "preview-domain" is required for command "preview-up"/);
    expect(
      readSettings({
        inputs: { command: 'preview-sweep', cluster: 'c', 'preview-listener': LISTENER },
        workspace: '/',
      }).preview?.listener,
    ).toBe(LISTENER);
  });

  it('keeps the token out of the config file (an input only)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preview-settings-'));
    writeFileSync(path.join(dir, 'deploy.yml'), 'cluster: c\nservice: web\ngithub-token: ghs_x\n');
    expect(() =>
      readSettings({ inputs: { command: 'preview-up', 'base-config': 'deploy.yml' }, workspace: dir }),
    ).toThrow(/Config file deploy\.yml line 3: unknown key "github-token"/);
  });
});
