import http from 'node:http';
import {
  CreateRuleCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { wildcardMatch } from '../elb/routing.js';
import {
  createAlb,
  createGroup,
  register,
  request,
  sleep,
  startTarget,
  type TestTarget,
  waitForState,
} from '../elb/testing.js';
import { Simulator } from '../index.js';

describe('ALB rule routing', () => {
  let sim: Simulator;
  let client: ElasticLoadBalancingV2Client;
  const targets: TestTarget[] = [];
  let url: string;
  let listenerArn: string;
  const groups: Record<string, string> = {};

  /** Wait until a listener or rule change routes requests (the propagation delay). */
  const propagated = () => sleep(sim.clock.toWall(sim.elb.propagationDelayMs) + 20);

  beforeAll(async () => {
    sim = await Simulator.start({ timeScale: 300 });
    client = new ElasticLoadBalancingV2Client({
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret-key' },
    });
    for (const name of ['web', 'api', 'preview', 'canary']) {
      groups[name] = await createGroup(client, `rules-${name}`, { intervalSeconds: 10 });
    }
    ({ listenerArn } = await createAlb(client, 'rules', [groups.web ?? '']));
    url = sim.elb.listenerUrl(listenerArn);
    const rule = (priority: number, conditions: object[], group: string) =>
      client.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: priority,
          Conditions: conditions,
          Actions: [{ Type: 'forward', TargetGroupArn: group }],
        }),
      );
    await rule(
      5,
      [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['yes'] } }],
      groups.canary ?? '',
    );
    await rule(
      10,
      [{ Field: 'host-header', HostHeaderConfig: { Values: ['pr-*.preview.example.com'] } }],
      groups.preview ?? '',
    );
    await rule(
      20,
      [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*', '/v?/status'] } }],
      groups.api ?? '',
    );
    for (const [name, arn] of Object.entries(groups)) {
      const t = await startTarget(name);
      targets.push(t);
      await register(client, arn, [t.port]);
    }
    for (const arn of Object.values(groups)) await waitForState(client, arn, 'healthy');
  });

  afterAll(async () => {
    client.destroy();
    await Promise.all(targets.map((t) => t.close()));
    await sim.stop();
  });

  it('matches ALB wildcards', () => {
    expect(wildcardMatch('/api/*', '/api/users/1', false)).toBe(true);
    expect(wildcardMatch('/v?/status', '/v2/status', false)).toBe(true);
    expect(wildcardMatch('/v?/status', '/v10/status', false)).toBe(false);
    expect(wildcardMatch('/API/*', '/api/x', false)).toBe(false);
    expect(wildcardMatch('*.Example.com', 'www.example.COM', true)).toBe(true);
  });

  it('routes by host header, path and http header in priority order, else the default action', async () => {
    const body = async (path: string, headers: Record<string, string> = {}) =>
      (await request(`${url}${path}`, headers)).body;
    expect(await body('/')).toBe('web');
    expect(await body('/api/users?id=1')).toBe('api');
    expect(await body('/v2/status')).toBe('api');
    expect(await body('/v22/status')).toBe('web');
    expect(await body('/', { host: 'pr-42.preview.example.com' })).toBe('preview');
    expect(await body('/', { host: 'PR-42.Preview.Example.com:8080' })).toBe('preview');
    expect(await body('/', { host: 'pr-42.other.example.com' })).toBe('web');
    // Priority 5 (header) wins over priority 10 (host) and 20 (path).
    expect(await body('/api/x', { host: 'pr-1.preview.example.com', 'x-canary': 'YES' })).toBe('canary');
    // Priority 10 (host) wins over priority 20 (path).
    expect(await body('/api/x', { host: 'pr-1.preview.example.com' })).toBe('preview');
  });

  it('answers fixed responses and follows rule changes', async () => {
    await client.send(
      new ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'no route' },
          },
        ],
      }),
    );
    await propagated();
    const reply = await request(`${url}/`);
    expect(reply).toMatchObject({ status: 404, body: 'no route', server: 'awselb/2.0' });
    expect((await request(`${url}/api/x`)).body).toBe('api');

    const rules = await client.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 30,
        Conditions: [{ Field: 'path-pattern', Values: ['/old/*'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: groups.web }],
      }),
    );
    expect((await request(`${url}/old/page`)).body).toBe('web');
    await client.send(
      new ModifyRuleCommand({
        RuleArn: rules.Rules?.[0]?.RuleArn,
        Actions: [{ Type: 'forward', TargetGroupArn: groups.api }],
      }),
    );
    // Until the change reached the load balancer's nodes, the old action still routes.
    expect((await request(`${url}/old/page`)).body).toBe('web');
    await propagated();
    expect((await request(`${url}/old/page`)).body).toBe('api');
  });

  it('keeps a client on its target group with TargetGroupStickinessConfig', async () => {
    await client.send(
      new ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: groups.web, Weight: 50 },
                { TargetGroupArn: groups.canary, Weight: 50 },
              ],
              TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 600 },
            },
          },
        ],
      }),
    );
    await propagated();
    const first = await new Promise<{ cookie: string; body: string }>((resolve, reject) => {
      http
        .get(`${url}/`, { agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () =>
            resolve({ cookie: (res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '', body }),
          );
        })
        .on('error', reject);
    });
    expect(first.cookie).toMatch(/^AWSALBTG=/);
    const again = await Promise.all(
      Array.from({ length: 6 }, () => request(`${url}/`, { cookie: first.cookie })),
    );
    expect(new Set(again.map((r) => r.body))).toEqual(new Set([first.body]));
    const fresh = await Promise.all(Array.from({ length: 6 }, () => request(`${url}/`)));
    expect(new Set(fresh.map((r) => r.body))).toEqual(new Set(['web', 'canary']));
  });
});
