/**
 * A listener's data plane: a real HTTP proxy on its own loopback port that routes each request
 * as an ALB does (rules, weights, round-robin, fail-open), answers with the ALB's own errors
 * (502 refused, 503 no registered targets, 504 timeout) and records every request as
 * AWS/ApplicationELB metrics in simulated time.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricSink } from '../contracts.js';
import type { SimClock } from '../core/clock.js';
import {
  type Action,
  type Listener,
  type LoadBalancer,
  loadBalancerDimension,
  type Target,
  type TargetGroup,
  targetGroupDimension,
} from './model.js';
import {
  pickTarget,
  type RequestFacts,
  routableTargets,
  selectRule,
  terminalAction,
  WeightedPicker,
} from './routing.js';

export interface ProxyDeps {
  clock: SimClock;
  metrics: MetricSink;
  /** Looked up per request, so a ModifyListener is seen atomically by the next request. */
  listener: () => Listener | undefined;
  loadBalancer: () => LoadBalancer | undefined;
  targetGroup: (arn: string) => TargetGroup | undefined;
  /** Lower bound on the wall-clock target timeout (see ElbSim.minTargetTimeoutWallMs). */
  minTargetTimeoutWallMs: () => number;
}

const STATUS_TEXT: Record<number, string> = {
  502: '502 Bad Gateway',
  503: '503 Service Temporarily Unavailable',
  504: '504 Gateway Time-out',
};

/** Hop-by-hop headers are per connection and must not be forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

function stripHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

const STICKY_COOKIE = 'AWSALBTG';

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export class ListenerProxy {
  private readonly server: http.Server;
  private readonly pickers = new WeakMap<Action, WeightedPicker>();
  private readonly upstreams = new Set<http.ClientRequest>();
  port = 0;

  constructor(private readonly deps: ProxyDeps) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const u of this.upstreams) u.destroy();
    this.upstreams.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private metric(name: string, value: number, tg?: TargetGroup, unit = 'Count'): void {
    const lb = this.deps.loadBalancer();
    if (!lb) return;
    const timestamp = this.deps.clock.now();
    const lbDim = loadBalancerDimension(lb);
    const base = { namespace: 'AWS/ApplicationELB', metricName: name, timestamp, value, unit };
    this.deps.metrics.putMetric({ ...base, dimensions: { LoadBalancer: lbDim } });
    if (tg) {
      this.deps.metrics.putMetric({
        ...base,
        dimensions: { LoadBalancer: lbDim, TargetGroup: targetGroupDimension(tg) },
      });
    }
  }

  /**
   * RequestCountPerTarget (what ALBRequestCountPerTarget scaling follows): each request counts
   * 1/n for a group with n routable targets, so a period's Sum is requests per target.
   */
  private requestPerTarget(tg: TargetGroup): void {
    const lb = this.deps.loadBalancer();
    const n = routableTargets(tg).length;
    if (!lb || n === 0) return;
    const base = {
      namespace: 'AWS/ApplicationELB',
      metricName: 'RequestCountPerTarget',
      timestamp: this.deps.clock.now(),
      value: 1 / n,
      unit: 'Count',
    };
    this.deps.metrics.putMetric({ ...base, dimensions: { TargetGroup: targetGroupDimension(tg) } });
    this.deps.metrics.putMetric({
      ...base,
      dimensions: { LoadBalancer: loadBalancerDimension(lb), TargetGroup: targetGroupDimension(tg) },
    });
  }

  /** An answer the load balancer makes itself (no target involved). */
  private elbError(res: http.ServerResponse, status: 502 | 503 | 504, tg?: TargetGroup): void {
    this.metric('HTTPCode_ELB_5XX_Count', 1);
    this.metric(`HTTPCode_ELB_${status}_Count`, 1);
    // A connection the target refused or reset; a timeout is not a connection error.
    if (tg && status === 502) this.metric('TargetConnectionErrorCount', 1, tg);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const text = STATUS_TEXT[status] ?? String(status);
    res.writeHead(status, { server: 'awselb/2.0', 'content-type': 'text/html', connection: 'close' });
    res.end(
      `<html>\r\n<head><title>${text}</title></head>\r\n<body>\r\n<center><h1>${text}</h1></center>\r\n</body>\r\n</html>\r\n`,
    );
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const listener = this.deps.listener();
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const facts: RequestFacts = {
      host: req.headers.host ?? '',
      path: url.pathname,
      method: req.method ?? 'GET',
      headers: req.headers,
      query: url.searchParams,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    };
    if (!listener) {
      this.elbError(res, 503);
      return;
    }
    const rule = selectRule(listener, facts);
    const action = terminalAction(rule.actions);
    if (!action) {
      this.metric('RequestCount', 1);
      this.elbError(res, 503);
      return;
    }
    if (action.Type === 'fixed-response') {
      this.metric('RequestCount', 1);
      this.metric('HTTP_Fixed_Response_Count', 1);
      const cfg = action.FixedResponseConfig;
      const status = Number(cfg?.StatusCode ?? 200);
      // The load balancer's own 2XX/4XX/5XX answers count as HTTPCode_ELB_*.
      if (status >= 400) this.metric(`HTTPCode_ELB_${Math.floor(status / 100)}XX_Count`, 1);
      res.writeHead(status, { server: 'awselb/2.0', 'content-type': cfg?.ContentType ?? 'text/plain' });
      res.end(cfg?.MessageBody ?? '');
      return;
    }
    if (action.Type === 'redirect') {
      this.metric('RequestCount', 1);
      this.metric('HTTP_Redirect_Count', 1);
      this.metric('HTTPCode_ELB_3XX_Count', 1);
      res.writeHead(action.RedirectConfig?.StatusCode === 'HTTP_301' ? 301 : 302, {
        server: 'awselb/2.0',
        location: this.redirectLocation(action, facts, listener, url),
      });
      res.end();
      return;
    }
    this.forward(req, res, action, listener);
  }

  private redirectLocation(action: Action, facts: RequestFacts, listener: Listener, url: URL): string {
    const cfg = action.RedirectConfig;
    const host = facts.host.replace(/:\d+$/, '');
    const expand = (s: string) =>
      s
        .replace(/#\{protocol\}/g, listener.protocol.toLowerCase())
        .replace(/#\{host\}/g, host)
        .replace(/#\{port\}/g, String(listener.port))
        .replace(/#\{path\}/g, url.pathname.replace(/^\//, ''))
        .replace(/#\{query\}/g, url.search.replace(/^\?/, ''));
    const protocol = expand(cfg?.Protocol ?? '#{protocol}').toLowerCase();
    const port = expand(cfg?.Port ?? '#{port}');
    const path = expand(cfg?.Path ?? '/#{path}');
    const query = expand(cfg?.Query ?? '#{query}');
    return `${protocol}://${expand(cfg?.Host ?? '#{host}')}:${port}${path}${query ? `?${query}` : ''}`;
  }

  private chooseGroup(action: Action, req: http.IncomingMessage): string | undefined {
    const cfg = action.ForwardConfig;
    if (!cfg) return action.TargetGroupArn;
    if (cfg.TargetGroupStickinessConfig.Enabled) {
      const sticky = readCookie(req.headers.cookie, STICKY_COOKIE);
      if (sticky && cfg.TargetGroups.some((g) => g.TargetGroupArn === sticky && g.Weight > 0)) return sticky;
    }
    let picker = this.pickers.get(action);
    if (!picker) {
      picker = new WeightedPicker();
      this.pickers.set(action, picker);
    }
    return picker.pick(cfg.TargetGroups);
  }

  private forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    action: Action,
    listener: Listener,
  ): void {
    const tgArn = this.chooseGroup(action, req);
    const tg = tgArn ? this.deps.targetGroup(tgArn) : undefined;
    // One point per request, at both the load balancer and the load balancer + group level.
    this.metric('RequestCount', 1, tg);
    if (!tg) {
      this.elbError(res, 503);
      return;
    }
    const target = pickTarget(tg);
    this.requestPerTarget(tg);
    if (!target) {
      // The chosen group has no registered targets; ALB does not fail over to another group.
      this.elbError(res, 503, tg);
      return;
    }
    if (action.ForwardConfig?.TargetGroupStickinessConfig.Enabled) {
      const seconds = action.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds ?? 3600;
      res.setHeader(
        'set-cookie',
        `${STICKY_COOKIE}=${encodeURIComponent(tg.arn)}; Max-Age=${seconds}; Path=/`,
      );
    }
    this.send(req, res, tg, target, listener);
  }

  private send(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    tg: TargetGroup,
    target: Target,
    listener: Listener,
  ): void {
    const lb = this.deps.loadBalancer();
    const idleSeconds = Number(lb?.attributes.get('idle_timeout.timeout_seconds') ?? 60);
    const timeoutMs = Math.max(
      this.deps.clock.toWall(idleSeconds * 1000),
      this.deps.minTargetTimeoutWallMs(),
    );
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress?.replace(/^::ffff:/, '')]
      .filter(Boolean)
      .join(', ');
    const headers = {
      ...stripHopByHop(req.headers),
      'x-forwarded-for': forwardedFor,
      'x-forwarded-proto': listener.protocol.toLowerCase(),
      'x-forwarded-port': String(listener.port),
      'x-amzn-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
      connection: 'close',
    };
    const sentAt = Date.now();
    let answered = false;
    // Every simulated target listens on loopback; the target id only tells AWS's story.
    const upstream = http.request({
      host: '127.0.0.1',
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      agent: false,
    });
    this.upstreams.add(upstream);
    const timer = setTimeout(() => {
      if (answered) return;
      answered = true;
      upstream.destroy();
      this.elbError(res, 504, tg);
    }, timeoutMs);
    timer.unref();
    const finish = () => {
      clearTimeout(timer);
      this.upstreams.delete(upstream);
    };
    upstream.on('response', (up) => {
      if (answered) {
        up.resume();
        return;
      }
      answered = true;
      clearTimeout(timer);
      const status = up.statusCode ?? 502;
      this.metric('TargetResponseTime', (Date.now() - sentAt) / 1000, tg, 'Seconds');
      this.metric(`HTTPCode_Target_${Math.floor(status / 100)}XX_Count`, 1, tg);
      res.writeHead(status, up.statusMessage, stripHopByHop(up.headers));
      up.pipe(res);
      up.on('end', finish);
      up.on('error', () => {
        finish();
        res.destroy();
      });
    });
    upstream.on('error', () => {
      finish();
      if (answered) {
        res.destroy();
        return;
      }
      answered = true;
      // A refused or reset connection is the ALB's 502; the target never answered.
      this.elbError(res, 502, tg);
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
        finish();
      }
    });
    req.pipe(upstream);
  }
}
