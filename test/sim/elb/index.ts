/**
 * The ELBv2 part of the simulator: the control plane (api.ts), target health checks over real
 * HTTP (health.ts), and each listener as a real HTTP proxy on loopback (proxy.ts) routing the
 * way an ALB does (routing.ts). The ECS scheduler reaches it through `LoadBalancerSide`.
 */

import type { LoadBalancerSide, TargetHealthView, TargetRef } from '../contracts.js';
import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';
import { ElbApi } from './api.js';
import { HealthChecker } from './health.js';
import {
  forwardedGroups,
  type Listener,
  type LoadBalancer,
  loadBalancerDimension,
  type Rule,
  type TargetGroup,
  targetGroupDimension,
  targetKey,
} from './model.js';
import { recordChange, servedListener } from './propagation.js';
import { ListenerProxy } from './proxy.js';

export class ElbSim implements LoadBalancerSide {
  readonly service: ServiceDefinition;
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly listeners = new Map<string, Listener>();
  /** Every rule by ARN, default rules included. */
  readonly rules = new Map<string, Rule>();
  readonly targetGroups = new Map<string, TargetGroup>();
  private readonly proxies = new Map<string, ListenerProxy>();
  private readonly health: HealthChecker;
  private hostCountTimer?: NodeJS.Timeout;
  private stopped = false;

  /**
   * Wall-clock floors on timeouts that are AWS durations scaled down by the clock: at a time
   * scale of 1000, a 5 s health-check timeout is 5 ms and the 60 s idle timeout 60 ms, both
   * shorter than a loaded test process's scheduling jitter. Tests of timeouts use targets
   * slower than these floors.
   */
  minProbeTimeoutWallMs = 250;
  minTargetTimeoutWallMs = 1000;
  /**
   * Wall-clock floor under a draining target's deregistration delay. Requests take real
   * milliseconds while the delay is simulated: at high time scales a 1 s delay is a few wall
   * milliseconds, shorter than a request in flight on a busy machine, which AWS would let finish.
   */
  minDrainWallMs = 1000;
  /**
   * Simulated ms after which a ModifyListener / ModifyRule change routes requests (a few
   * seconds on AWS); until then the proxy routes by the previous configuration.
   */
  propagationDelayMs = 5000;

  constructor(readonly sim: Simulator) {
    this.health = new HealthChecker({
      clock: sim.clock,
      isInUse: (tg) => this.isInUse(tg),
      minTimeoutWallMs: () => this.minProbeTimeoutWallMs,
    });
    this.service = {
      name: 'elbv2',
      protocol: 'query',
      xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
      throttleCode: 'Throttling',
      handlers: new ElbApi(this).handlers(),
    };
    this.scheduleHostCounts();
  }

  /**
   * ALB publishes HealthyHostCount and UnHealthyHostCount once a minute per target group and
   * load balancer; alarms on them (e.g. UnHealthyHostCount > 0) need the same cadence here.
   */
  private scheduleHostCounts(): void {
    this.hostCountTimer = setTimeout(
      () => {
        if (this.stopped) return;
        this.publishHostCounts();
        this.scheduleHostCounts();
      },
      Math.max(20, this.sim.clock.toWall(60_000)),
    );
    this.hostCountTimer.unref();
  }

  private publishHostCounts(): void {
    const timestamp = this.sim.clock.now();
    for (const tg of this.targetGroups.values()) {
      const views = [...tg.targets.values()].map((t) => this.targetHealth(tg.arn, t));
      const healthy = views.filter((v) => v.State === 'healthy').length;
      const unhealthy = views.filter((v) => v.State === 'unhealthy').length;
      for (const lbArn of this.loadBalancersOf(tg.arn)) {
        const lb = this.loadBalancers.get(lbArn);
        if (!lb) continue;
        const dimensions = { LoadBalancer: loadBalancerDimension(lb), TargetGroup: targetGroupDimension(tg) };
        for (const [metricName, value] of [
          ['HealthyHostCount', healthy],
          ['UnHealthyHostCount', unhealthy],
        ] as const) {
          this.sim.cloudwatch.putMetric({
            namespace: 'AWS/ApplicationELB',
            metricName,
            dimensions,
            timestamp,
            value,
            unit: 'Count',
          });
        }
      }
    }
  }

  // ---------- test API ----------

  /** The real loopback port a listener's proxy listens on (its `Port` is only AWS's story). */
  listenerPort(listenerArn: string): number {
    const proxy = this.proxies.get(listenerArn);
    if (!proxy) throw new Error(`no listener ${listenerArn}`);
    return proxy.port;
  }

  /** `http://127.0.0.1:<port>` of a listener's proxy: send test traffic here. */
  listenerUrl(listenerArn: string): string {
    return `http://127.0.0.1:${this.listenerPort(listenerArn)}`;
  }

  // ---------- shared by the API ----------

  private allRules(): Rule[] {
    return [...this.listeners.values()].flatMap((l) => [l.defaultRule, ...l.rules]);
  }

  /** True when a listener's default action or a rule forwards to the group (weight 0 included). */
  isInUse(tg: TargetGroup): boolean {
    return this.allRules().some((r) => forwardedGroups(r.actions).includes(tg.arn));
  }

  /** The load balancers whose listeners or rules forward to a group. */
  loadBalancersOf(targetGroupArn: string): string[] {
    const out = new Set<string>();
    for (const l of this.listeners.values()) {
      if ([l.defaultRule, ...l.rules].some((r) => forwardedGroups(r.actions).includes(targetGroupArn))) {
        out.add(l.loadBalancerArn);
      }
    }
    return [...out];
  }

  async addListener(listener: Listener): Promise<void> {
    const proxy = new ListenerProxy({
      clock: this.sim.clock,
      metrics: this.sim.cloudwatch,
      listener: () => {
        const current = this.listeners.get(listener.arn);
        return current && servedListener(current, this.sim.clock.now());
      },
      loadBalancer: () => this.loadBalancers.get(listener.loadBalancerArn),
      targetGroup: (arn) => this.targetGroups.get(arn),
      minTargetTimeoutWallMs: () => this.minTargetTimeoutWallMs,
    });
    await proxy.start();
    this.proxies.set(listener.arn, proxy);
    this.listeners.set(listener.arn, listener);
    this.rules.set(listener.defaultRule.arn, listener.defaultRule);
  }

  async removeListener(listener: Listener): Promise<void> {
    this.listeners.delete(listener.arn);
    for (const r of [listener.defaultRule, ...listener.rules]) this.rules.delete(r.arn);
    const proxy = this.proxies.get(listener.arn);
    this.proxies.delete(listener.arn);
    await proxy?.stop();
  }

  removeTargetGroup(tg: TargetGroup): void {
    for (const t of tg.targets.values()) this.dropTarget(tg, t.id, t.port);
    this.targetGroups.delete(tg.arn);
  }

  private dropTarget(tg: TargetGroup, id: string, port: number): void {
    const key = targetKey(id, port);
    const t = tg.targets.get(key);
    if (!t) return;
    t.gone = true;
    this.health.stop(t);
    if (t.drainTimer) clearTimeout(t.drainTimer);
    tg.targets.delete(key);
  }

  /**
   * A rule's forward action rewritten by another AWS service on the caller's behalf (ECS-native
   * blue/green shifting weights): one assignment, like ModifyRule, so the proxy sees either the
   * old or the new split, and it reaches the load balancer's nodes after the same propagation delay.
   */
  setManagedForward(ruleArn: string, groups: { TargetGroupArn: string; Weight: number }[]): void {
    const rule = this.rules.get(ruleArn);
    if (!rule) throw new Error(`no rule ${ruleArn}`);
    const before = { actions: rule.actions, conditions: rule.conditions };
    rule.actions = [
      {
        Type: 'forward',
        Order: 1,
        ForwardConfig: { TargetGroups: groups, TargetGroupStickinessConfig: { Enabled: false } },
      },
    ];
    recordChange(rule, before, this.sim.clock.now(), this.propagationDelayMs);
  }

  // ---------- LoadBalancerSide (used by the ECS scheduler and by the API) ----------

  targetGroupExists(targetGroupArn: string): boolean {
    return this.targetGroups.has(targetGroupArn);
  }

  targetGroupHasLoadBalancer(targetGroupArn: string): boolean {
    const tg = this.targetGroups.get(targetGroupArn);
    return tg !== undefined && this.isInUse(tg);
  }

  registerTarget(targetGroupArn: string, target: TargetRef & { availabilityZone?: string }): void {
    const tg = this.targetGroups.get(targetGroupArn);
    if (!tg) return;
    const key = targetKey(target.id, target.port);
    const existing = tg.targets.get(key);
    // Registering a registered target changes nothing; a draining one comes back from scratch.
    if (existing && existing.state !== 'draining') return;
    if (existing) this.dropTarget(tg, target.id, target.port);
    const t = {
      id: target.id,
      port: target.port,
      availabilityZone: target.availabilityZone,
      state: 'initial' as const,
      okStreak: 0,
      failStreak: 0,
      seq: tg.nextSeq++,
    };
    tg.targets.set(key, t);
    this.health.start(tg, t);
  }

  deregisterTarget(targetGroupArn: string, target: TargetRef): void {
    const tg = this.targetGroups.get(targetGroupArn);
    const t = tg?.targets.get(targetKey(target.id, target.port));
    // Deregistering an unknown target succeeds, as on AWS.
    if (!tg || !t || t.state === 'draining') return;
    this.health.stop(t);
    const delay = this.deregistrationDelayMs(tg.arn);
    // A group no listener uses has no connections to drain.
    if (delay <= 0 || !this.isInUse(tg)) {
      this.dropTarget(tg, t.id, t.port);
      return;
    }
    t.state = 'draining';
    t.reason = 'Target.DeregistrationInProgress';
    t.description = 'Target deregistration is in progress';
    t.drainTimer = setTimeout(
      () => this.dropTarget(tg, t.id, t.port),
      Math.max(this.sim.clock.toWall(delay), this.minDrainWallMs),
    );
    t.drainTimer.unref();
  }

  targetHealth(targetGroupArn: string, target: TargetRef): TargetHealthView {
    const tg = this.targetGroups.get(targetGroupArn);
    const t = tg?.targets.get(targetKey(target.id, target.port));
    if (!tg || !t) {
      return {
        State: 'unused',
        Reason: 'Target.NotRegistered',
        Description: 'Target is not registered to the target group',
      };
    }
    if (t.state === 'draining') {
      return { State: 'draining', Reason: t.reason, Description: t.description };
    }
    if (!this.isInUse(tg)) {
      return {
        State: 'unused',
        Reason: 'Target.NotInUse',
        Description: 'Target group is not configured to receive traffic from the load balancer',
      };
    }
    if (!tg.healthCheck.enabled) {
      return {
        State: 'unavailable',
        Reason: 'Target.HealthCheckDisabled',
        Description: 'Health checks are disabled',
      };
    }
    return { State: t.state, Reason: t.reason, Description: t.description };
  }

  deregistrationDelayMs(targetGroupArn: string): number {
    const tg = this.targetGroups.get(targetGroupArn);
    return Number(tg?.attributes.get('deregistration_delay.timeout_seconds') ?? 300) * 1000;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.hostCountTimer) clearTimeout(this.hostCountTimer);
    for (const tg of this.targetGroups.values()) {
      for (const t of [...tg.targets.values()]) this.dropTarget(tg, t.id, t.port);
    }
    await Promise.all([...this.proxies.values()].map((p) => p.stop()));
    this.proxies.clear();
  }
}
