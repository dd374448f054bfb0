/**
 * Helpers for tests that drive the ALB data plane: small HTTP targets on loopback and a
 * client loop that sends steady traffic through a listener and tallies what came back.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type TargetMode = 'ok' | 'error' | 'hang';

export interface TestTarget {
  port: number;
  /** `ok`: 200 with the version as body; `error`: 503 on every path; `hang`: never answers. */
  mode: TargetMode;
  close(): Promise<void>;
}

/** An HTTP server on loopback that answers `version` on every path (health checks included). */
export async function startTarget(version: string, mode: TargetMode = 'ok'): Promise<TestTarget> {
  const server = http.createServer((_req, res) => {
    if (target.mode === 'hang') return;
    if (target.mode === 'error') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(`${version} unavailable`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(version);
  });
  server.keepAliveTimeout = 500;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target: TestTarget = {
    port: (server.address() as AddressInfo).port,
    mode,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return target;
}

/** A loopback port nobody listens on: connecting to it is refused. */
export async function refusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Reply {
  status: number;
  body: string;
  /** `awselb/2.0` when the load balancer answered itself. */
  server?: string;
  /** Set when the request failed below HTTP (reset, refused). */
  error?: string;
}

/** One request; never rejects, so traffic loops can count failures. */
export function request(url: string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<Reply> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          server: typeof res.headers.server === 'string' ? res.headers.server : undefined,
        }),
      );
      res.on('error', (e) => resolve({ status: 0, body: '', error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (e) => resolve({ status: 0, body: '', error: e.message }));
  });
}

export interface TrafficRecord extends Reply {
  /** The phase when the request was sent. */
  phase: string;
  /** The phase when the reply came; differs for requests that straddled a change. */
  endPhase: string;
}

export interface Traffic {
  /** Label stamped on requests started from now on. */
  phase: string;
  readonly records: TrafficRecord[];
  /** Stops sending and waits for requests in flight. */
  stop(): Promise<TrafficRecord[]>;
}

/** Sends `perSecond` requests a second to `url` until stopped, each tagged with the current phase. */
export function startTraffic(url: string, perSecond = 40, headers: Record<string, string> = {}): Traffic {
  const inFlight = new Set<Promise<void>>();
  const records: TrafficRecord[] = [];
  const traffic: Traffic = {
    phase: 'start',
    records,
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return records;
    },
  };
  const timer = setInterval(() => {
    const phase = traffic.phase;
    const p = request(url, headers).then((r) => {
      records.push({ ...r, phase, endPhase: traffic.phase });
      inFlight.delete(p);
    });
    inFlight.add(p);
  }, 1000 / perSecond);
  return traffic;
}

/** Requests sent and answered within one phase (so certainly routed by that phase's settings). */
export function inPhase(records: TrafficRecord[], phase: string): TrafficRecord[] {
  return records.filter((r) => r.phase === phase && r.endPhase === phase);
}

/** Counts of each response body (or `status` for non-200s) in some records. */
export function tally(records: Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    const key = r.error
      ? `error:${r.error}`
      : r.status === 200
        ? r.body
        : `${r.status}${r.server ? ` ${r.server}` : ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// ---------- SDK fixtures ----------

import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';

export interface GroupOptions {
  intervalSeconds?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  path?: string;
}

export async function createGroup(
  client: ElasticLoadBalancingV2Client,
  name: string,
  opts: GroupOptions = {},
): Promise<string> {
  const out = await client.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      TargetType: 'ip',
      HealthCheckPath: opts.path ?? '/',
      HealthCheckIntervalSeconds: opts.intervalSeconds ?? 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: opts.healthyThreshold ?? 2,
      UnhealthyThresholdCount: opts.unhealthyThreshold ?? 2,
    }),
  );
  return out.TargetGroups?.[0]?.TargetGroupArn ?? '';
}

/** A load balancer with one HTTP :80 listener forwarding to `groups` with `weights`. */
export async function createAlb(
  client: ElasticLoadBalancingV2Client,
  name: string,
  groups: string[],
  weights: number[] = groups.map((_, i) => (i === 0 ? 1 : 0)),
): Promise<{ loadBalancerArn: string; listenerArn: string }> {
  const lb = await client.send(
    new CreateLoadBalancerCommand({ Name: name, Subnets: ['subnet-1', 'subnet-2'] }),
  );
  const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const listener = await client.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: groups.map((arn, i) => ({ TargetGroupArn: arn, Weight: weights[i] ?? 0 })),
          },
        },
      ],
    }),
  );
  return { loadBalancerArn, listenerArn: listener.Listeners?.[0]?.ListenerArn ?? '' };
}

export async function register(
  client: ElasticLoadBalancingV2Client,
  group: string,
  ports: number[],
): Promise<void> {
  await client.send(
    new RegisterTargetsCommand({
      TargetGroupArn: group,
      Targets: ports.map((Port) => ({ Id: '127.0.0.1', Port })),
    }),
  );
}

/** Waits until every registered target of a group is in `state`. */
export async function waitForState(
  client: ElasticLoadBalancingV2Client,
  group: string,
  state: TargetHealthStateEnum | string,
  timeoutMs = 10_000,
): Promise<void> {
  await waitFor(
    `targets of ${group} to be ${state}`,
    async () => {
      const out = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: group }));
      const all = out.TargetHealthDescriptions ?? [];
      return all.length > 0 && all.every((d) => d.TargetHealth?.State === state);
    },
    timeoutMs,
  );
}
