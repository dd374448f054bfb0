/**
 * Target health checks: every registered target is probed over real HTTP on loopback, once per
 * health-check interval of simulated time, and moves `initial` → `healthy` / `unhealthy` by the
 * group's thresholds, with AWS's reason codes. Groups no listener uses are not checked (AWS
 * reports their targets `unused`), and their targets start over from `initial` once attached.
 */
import http from 'node:http';
import type { SimClock } from '../core/clock.js';
import type { Target, TargetGroup } from './model.js';

export interface ProbeResult {
  ok: boolean;
  reason?: string;
  description?: string;
}

/** True when `status` satisfies a matcher such as `200`, `200,202` or `200-299`. */
export function matcherAccepts(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [lo, hi] = part.trim().split('-').map(Number);
    if (lo === undefined || Number.isNaN(lo)) return false;
    return hi === undefined ? status === lo : status >= lo && status <= hi;
  });
}

/** One health check request, as the ALB health checker sends it. */
export function probe(port: number, path: string, matcher: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    // Every simulated target listens on loopback; the target id only tells AWS's story.
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        agent: false,
        headers: { 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' },
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        done(
          matcherAccepts(matcher, status)
            ? { ok: true }
            : {
                ok: false,
                reason: 'Target.ResponseCodeMismatch',
                description: `Health checks failed with these codes: [${status}]`,
              },
        );
      },
    );
    const timer = setTimeout(
      () => done({ ok: false, reason: 'Target.Timeout', description: 'Request timed out' }),
      timeoutMs,
    );
    timer.unref();
    req.on('error', () =>
      done({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }),
    );
    req.end();
  });
}

export interface HealthCheckerOptions {
  clock: SimClock;
  isInUse: (tg: TargetGroup) => boolean;
  /**
   * Lower bound on the wall-clock probe timeout. At a time scale of 1000 a 5-second timeout is
   * 5 wall milliseconds, shorter than a busy event loop's hiccup; healthy targets must not
   * time out because the test process is loaded.
   */
  minTimeoutWallMs: () => number;
}

/** A target that left the group or is draining is no longer checked. */
function retired(t: Target): boolean {
  return t.gone === true || t.state === 'draining';
}

export class HealthChecker {
  constructor(private readonly opts: HealthCheckerOptions) {}

  /** Starts checking a freshly registered (or re-registered) target. */
  start(tg: TargetGroup, target: Target): void {
    this.stop(target);
    target.state = 'initial';
    target.reason = 'Elb.RegistrationInProgress';
    target.description = 'Target registration is in progress';
    target.okStreak = 0;
    target.failStreak = 0;
    // Registration itself takes about one interval before the first check is sent.
    this.schedule(tg, target, this.intervalWall(tg));
  }

  stop(target: Target): void {
    if (target.probeTimer) clearTimeout(target.probeTimer);
    target.probeTimer = undefined;
  }

  private intervalWall(tg: TargetGroup): number {
    return this.opts.clock.toWall(tg.healthCheck.intervalSeconds * 1000);
  }

  private schedule(tg: TargetGroup, target: Target, wallMs: number): void {
    if (retired(target)) return;
    target.probeTimer = setTimeout(() => void this.tick(tg, target), Math.max(1, wallMs));
    target.probeTimer.unref();
  }

  private async tick(tg: TargetGroup, target: Target): Promise<void> {
    target.probeTimer = undefined;
    if (retired(target)) return;
    const hc = tg.healthCheck;
    if (!this.opts.isInUse(tg) || !hc.enabled) {
      // Not checked: when checks resume, the target starts over as a new registration would.
      target.state = 'initial';
      target.reason = 'Elb.RegistrationInProgress';
      target.description = 'Target registration is in progress';
      target.okStreak = 0;
      target.failStreak = 0;
      target.awaitingAttach = true;
      this.schedule(tg, target, this.intervalWall(tg));
      return;
    }
    if (target.awaitingAttach) {
      // Just attached: the registration with the load balancer takes an interval from now.
      target.awaitingAttach = false;
      this.schedule(tg, target, this.intervalWall(tg));
      return;
    }
    if (target.state === 'initial') {
      target.reason = 'Elb.InitialHealthChecking';
      target.description = 'Initial health checks in progress';
    }
    const startedAt = Date.now();
    const port = hc.port === 'traffic-port' ? target.port : Number(hc.port);
    const timeout = Math.max(this.opts.clock.toWall(hc.timeoutSeconds * 1000), this.opts.minTimeoutWallMs());
    const result = await probe(port, hc.path, hc.matcher, timeout);
    if (retired(target)) return;
    this.apply(tg, target, result);
    this.schedule(tg, target, this.intervalWall(tg) - (Date.now() - startedAt));
  }

  private apply(tg: TargetGroup, target: Target, result: ProbeResult): void {
    const hc = tg.healthCheck;
    if (result.ok) {
      target.okStreak++;
      target.failStreak = 0;
      if (target.state !== 'healthy' && target.okStreak >= hc.healthyThreshold) {
        target.state = 'healthy';
        target.reason = undefined;
        target.description = undefined;
      }
      return;
    }
    target.failStreak++;
    target.okStreak = 0;
    if (target.state === 'unhealthy' || target.failStreak >= hc.unhealthyThreshold) {
      target.state = 'unhealthy';
      target.reason = result.reason;
      target.description = result.description;
    }
  }
}
