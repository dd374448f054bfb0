/**
 * ECS-native blue/green, linear and canary deployments in simulated time. A native deployment
 * starts green tasks beside blue ones in the alternate target group, walks the lifecycle stages
 * in order, has ECS rewrite the production and test listener rules' forward weights, holds at
 * hooks (PAUSE until ContinueServiceDeployment or the timeout; Lambda hooks by a registered
 * function), waits the step and bake times, and rolls back by restoring blue's weights. Once the
 * bake is over it hands the service back to the rolling scheduler, which drains blue (CLEAN_UP)
 * or, after a rollback, green. Sources: test/sim/README.md, "Native deployments".
 */
import { randomBytes } from 'node:crypto';
import type { Simulator } from '../index.js';
import { addEvent } from './events.js';
import type { Deployment, LoadBalancer, Service, Task } from './model.js';
import type { AdvancedConfiguration, HookStage, LifecycleHook, NativeStrategy } from './native-config.js';
import { isNative, strategyOf } from './native-config.js';
import type { Scheduler } from './scheduler.js';
import { onRevisionFailed, revisionArn, type ServiceDeploymentRecord } from './service-deployments.js';
import type { EcsState } from './state.js';

export type Stage = HookStage | 'SCALE_UP' | 'BAKE_TIME' | 'CLEAN_UP';

export type HookStatus = 'AWAITING_ACTION' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';

export interface HookExecution {
  hookId: string;
  hook: LifecycleHook;
  stage: HookStage;
  status: HookStatus;
  startedAt: number;
  expiresAt: number;
  /** Lambda hooks: sim ms of the next invocation while the function answers IN_PROGRESS. */
  nextInvokeAt?: number;
}

/** What a simulated Lambda hook answers (the function's `hookStatus`, optional `callBackDelay` in s). */
export interface LambdaHookResult {
  hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  callBackDelay?: number;
}

export interface LambdaInvocation {
  functionArn: string;
  stage: HookStage;
  payload: Record<string, unknown>;
  /** True for the invocations ECS makes while rolling back. */
  rollback: boolean;
}

interface ShiftedGroup {
  lb: LoadBalancer;
  adv: AdvancedConfiguration;
  /** The group blue serves from (production before the deployment). */
  blueGroup: string;
  /** The group green registers in. */
  greenGroup: string;
}

export interface NativeRun {
  service: Service;
  record: ServiceDeploymentRecord;
  strategy: NativeStrategy;
  blue: Deployment;
  green: Deployment;
  groups: ShiftedGroup[];
  stage: Stage;
  /** Sim ms the current stage began. */
  stageAt: number;
  /** Every stage entered, in order, with its sim ms (what tests check the order against). */
  stages: { stage: Stage; at: number; productionPercent: number }[];
  /** Production percentages to reach, one per PRODUCTION_TRAFFIC_SHIFT. */
  steps: number[];
  step: number;
  productionPercent: number;
  testPercent: number;
  /** The stage's own work is done (tasks healthy, weights written, wait over). */
  stageWorkDone: boolean;
  /** Sim ms until which the stage waits (canary/linear step bake, deployment bake). */
  waitUntil?: number;
  /** Hook executions of the current stage (what DescribeServiceDeployments shows). */
  hooks: HookExecution[];
  /** True once the run handed the service back to the rolling scheduler (clean-up or rollback). */
  finished: boolean;
}

/** Weights for a percentage to green: whole percentages out of 100, tenths out of 1000 (ALB allows 0–999). */
export function weightsFor(greenPercent: number): { blue: number; green: number } {
  if (Number.isInteger(greenPercent)) return { blue: 100 - greenPercent, green: greenPercent };
  const green = Math.round(greenPercent * 10);
  return { blue: 1000 - green, green };
}

/** The production percentages of each shift: one for blue/green, two for canary, n for linear. */
export function productionSteps(config: Service['deploymentConfiguration']): number[] {
  const strategy = strategyOf(config);
  if (strategy === 'CANARY') {
    const c = config.canaryConfiguration as { canaryPercent: number };
    return c.canaryPercent >= 100 ? [100] : [c.canaryPercent, 100];
  }
  if (strategy === 'LINEAR') {
    const step = (config.linearConfiguration as { stepPercent: number }).stepPercent;
    const out: number[] = [];
    for (let tenths = Math.round(step * 10); tenths < 1000; tenths += Math.round(step * 10))
      out.push(tenths / 10);
    out.push(100);
    return out;
  }
  return [100];
}

const MINUTE = 60_000;

export class NativeDeployments {
  /** Runs by service deployment record; a finished run is kept for the record's view. */
  private readonly runs = new Map<ServiceDeploymentRecord, NativeRun>();
  /** Per service, the group each load balancer entry serves production from now. */
  private readonly live = new WeakMap<Service, string[]>();
  /** Simulated Lambda functions for AWS_LAMBDA hooks, by function ARN; unknown ones fail. */
  readonly lambdas = new Map<string, (payload: Record<string, unknown>) => LambdaHookResult>();
  readonly invocations: LambdaInvocation[] = [];
  /** A finished run waiting for its last rule change to propagate before the scheduler scales down. */
  private readonly handoffs = new Map<
    Service,
    { run: NativeRun; at: number; afterwards: (now: number) => void }
  >();
  /** Roles ECS cannot assume (test API: a role whose trust policy does not name ecs.amazonaws.com). */
  readonly unassumableRoles = new Set<string>();

  constructor(
    private readonly sim: Simulator,
    private readonly state: EcsState,
    private readonly scheduler: () => Scheduler,
  ) {}

  // ---------- reads ----------

  runOf(record: ServiceDeploymentRecord): NativeRun | undefined {
    return this.runs.get(record);
  }

  /** The run in progress on a service, if any. */
  active(service: Service): NativeRun | undefined {
    for (const run of this.runs.values()) if (run.service === service && !run.finished) return run;
    return undefined;
  }

  /** The group production is served from for each load balancer entry of the service. */
  liveGroups(service: Service): string[] {
    return this.live.get(service) ?? service.loadBalancers.map((lb) => lb.targetGroupArn ?? '');
  }

  // ---------- start ----------

  /**
   * The service was created with a native strategy: its first revision has no blue to shift
   * from, so it scales up in the primary group and the rules are written primary 100 /
   * alternate 0 (choice: ECS's behaviour for a first deployment is not documented).
   */
  onCreate(service: Service): void {
    if (!isNative(service.deploymentConfiguration)) return;
    this.live.set(
      service,
      service.loadBalancers.map((lb) => lb.targetGroupArn ?? ''),
    );
    for (const g of this.shiftedGroups(service)) {
      this.writeWeights(g.adv.productionListenerRule, g.blueGroup, g.greenGroup, 0);
      if (g.adv.testListenerRule) this.writeWeights(g.adv.testListenerRule, g.blueGroup, g.greenGroup, 0);
    }
  }

  private shiftedGroups(service: Service): ShiftedGroup[] {
    const live = this.liveGroups(service);
    return service.loadBalancers.flatMap((lb, i) => {
      const adv = lb.advancedConfiguration as AdvancedConfiguration | undefined;
      if (!adv) return [];
      const blueGroup = live[i] ?? lb.targetGroupArn ?? '';
      const greenGroup =
        blueGroup === lb.targetGroupArn ? adv.alternateTargetGroupArn : (lb.targetGroupArn ?? '');
      return [{ lb, adv, blueGroup, greenGroup }];
    });
  }

  /**
   * A new deployment was created. With a native strategy and a COMPLETED revision still
   * serving, the new one becomes green: its tasks go to the other group of each pair.
   * Returns true when the deployment runs natively.
   */
  begin(service: Service, green: Deployment, record: ServiceDeploymentRecord, now: number): boolean {
    if (!isNative(service.deploymentConfiguration)) return false;
    const blue = service.lastCompleted;
    const blueServing =
      blue &&
      this.state.tasksOf(service).some((t) => t.deploymentId === blue.id && t.desiredStatus === 'RUNNING');
    if (!blue || blue === green || !blueServing) return false;
    const groups = this.shiftedGroups(service);
    green.loadBalancers = service.loadBalancers.map((lb) => {
      const g = groups.find((x) => x.lb === lb);
      return g ? { ...lb, targetGroupArn: g.greenGroup } : lb;
    });
    const run: NativeRun = {
      service,
      record,
      strategy: strategyOf(service.deploymentConfiguration) as NativeStrategy,
      blue,
      green,
      groups,
      stage: 'PRE_SCALE_UP',
      stageAt: now,
      stages: [],
      steps: productionSteps(service.deploymentConfiguration),
      step: 0,
      productionPercent: 0,
      testPercent: 0,
      stageWorkDone: false,
      hooks: [],
      finished: false,
    };
    this.runs.set(record, run);
    // More than one revision still ACTIVE besides the new one: ECS reconciles them first.
    const active = service.deployments.filter((d) => d !== green && d.status !== 'INACTIVE');
    this.enter(run, active.length > 1 ? 'RECONCILE_SERVICE' : 'PRE_SCALE_UP', now);
    return true;
  }

  // ---------- the scheduler's tick ----------

  /** Called by the scheduler for each service every tick; true while a native run owns it. */
  reconcile(service: Service, now: number): boolean {
    const pending = this.handoffs.get(service);
    if (pending) {
      // ECS scales a revision down only once its listener change reaches the load balancer.
      if (now < pending.at) {
        this.keepTasks(pending.run, now);
        return true;
      }
      this.handoffs.delete(service);
      pending.afterwards(now);
      return false;
    }
    const run = this.active(service);
    if (!run) return false;
    this.keepTasks(run, now);
    this.advance(run, now);
    return !run.finished;
  }

  /** Both revisions keep their full count while the run lasts: replace what stopped. */
  private keepTasks(run: NativeRun, now: number): void {
    const tasks = this.state.tasksOf(run.service);
    const live = (d: Deployment) =>
      tasks.filter((t) => t.deploymentId === d.id && t.desiredStatus === 'RUNNING');
    run.green.desiredCount = run.service.desiredCount;
    for (const d of [run.blue, run.green]) {
      if (d === run.green && run.stage === 'RECONCILE_SERVICE') continue;
      if (d === run.green && run.stage === 'PRE_SCALE_UP') continue;
      if (d.nextLaunchAt !== undefined && now < d.nextLaunchAt) continue;
      for (let n = live(d).length; n < d.desiredCount; n++) this.scheduler().launch(run.service, d, now);
    }
  }

  private advance(run: NativeRun, now: number): void {
    // Several stages may pass in one tick when nothing holds them.
    for (let guard = 0; guard < 32 && !run.finished; guard++) {
      if (!run.stageWorkDone) this.doStageWork(run, now);
      if (!run.stageWorkDone) return;
      const verdict = this.runHooks(run, now);
      if (verdict === 'wait') return;
      if (verdict === 'rollback') {
        this.rollback(run, now, this.hookFailureReason(run), {});
        return;
      }
      this.next(run, now);
    }
  }

  private doStageWork(run: NativeRun, now: number): void {
    switch (run.stage) {
      case 'SCALE_UP': {
        const green = this.state
          .tasksOf(run.service)
          .filter((t) => t.deploymentId === run.green.id && t.desiredStatus === 'RUNNING');
        run.stageWorkDone =
          green.length >= run.green.desiredCount &&
          green.every((t: Task) => t.healthyAt !== undefined && t.lastStatus === 'RUNNING');
        return;
      }
      case 'TEST_TRAFFIC_SHIFT':
        if (run.testPercent !== 100) {
          run.testPercent = 100;
          for (const g of run.groups) {
            if (g.adv.testListenerRule)
              this.writeWeights(g.adv.testListenerRule, g.blueGroup, g.greenGroup, 100);
          }
        }
        run.stageWorkDone = true;
        return;
      case 'PRODUCTION_TRAFFIC_SHIFT': {
        const target = run.steps[run.step] ?? 100;
        if (run.productionPercent !== target) {
          run.productionPercent = target;
          for (const g of run.groups)
            this.writeWeights(g.adv.productionListenerRule, g.blueGroup, g.greenGroup, target);
          // Between shifts ECS waits the canary or linear bake; not after the last one.
          const bake = target < 100 ? this.stepBakeMinutes(run) : 0;
          run.waitUntil = now + bake * MINUTE;
        }
        run.stageWorkDone = run.waitUntil === undefined || now >= run.waitUntil;
        return;
      }
      case 'BAKE_TIME':
        if (run.waitUntil === undefined) {
          run.waitUntil = now + Number(run.service.deploymentConfiguration.bakeTimeInMinutes ?? 0) * MINUTE;
        }
        run.stageWorkDone = now >= run.waitUntil;
        return;
      default:
        run.stageWorkDone = true;
    }
  }

  private stepBakeMinutes(run: NativeRun): number {
    const config = run.service.deploymentConfiguration;
    if (run.strategy === 'CANARY')
      return (config.canaryConfiguration as { canaryBakeTimeInMinutes: number }).canaryBakeTimeInMinutes;
    if (run.strategy === 'LINEAR')
      return (config.linearConfiguration as { stepBakeTimeInMinutes: number }).stepBakeTimeInMinutes;
    return 0;
  }

  private next(run: NativeRun, now: number): void {
    const order: Stage[] = [
      'RECONCILE_SERVICE',
      'PRE_SCALE_UP',
      'SCALE_UP',
      'POST_SCALE_UP',
      'TEST_TRAFFIC_SHIFT',
      'POST_TEST_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'POST_PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME',
      'CLEAN_UP',
    ];
    if (run.stage === 'PRODUCTION_TRAFFIC_SHIFT' && run.productionPercent < 100) {
      // Linear and canary: PRE_PRODUCTION_TRAFFIC_SHIFT and the shift repeat per step.
      run.step++;
      this.enter(run, 'PRE_PRODUCTION_TRAFFIC_SHIFT', now);
      return;
    }
    const nextStage = order[order.indexOf(run.stage) + 1];
    if (nextStage === 'CLEAN_UP') {
      this.enter(run, 'CLEAN_UP', now);
      this.finishForward(run, now);
      return;
    }
    if (nextStage) this.enter(run, nextStage, now);
  }

  private enter(run: NativeRun, stage: Stage, now: number): void {
    run.stage = stage;
    run.stageAt = now;
    run.stageWorkDone = false;
    run.waitUntil = undefined;
    run.stages.push({ stage, at: now, productionPercent: run.productionPercent });
    run.record.updatedAt = new Date(now);
    // Hook executions shown are those of the current stage.
    run.hooks = this.hooksAt(run, stage).map((hook) => this.startHook(run, hook, stage as HookStage, now));
  }

  private hooksAt(run: NativeRun, stage: Stage): LifecycleHook[] {
    const hooks = (run.service.deploymentConfiguration.lifecycleHooks as LifecycleHook[] | undefined) ?? [];
    return hooks.filter((h) => (h.lifecycleStages as Stage[]).includes(stage));
  }

  private startHook(run: NativeRun, hook: LifecycleHook, stage: HookStage, now: number): HookExecution {
    const prefix = hook.targetType === 'PAUSE' ? 'ecs-pause-' : 'ecs-lambda-';
    const exec: HookExecution = {
      hookId: prefix + randomBytes(32).toString('base64url'),
      hook,
      stage,
      status: hook.targetType === 'PAUSE' ? 'AWAITING_ACTION' : 'IN_PROGRESS',
      startedAt: now,
      expiresAt: now + hook.timeoutConfiguration.timeoutInMinutes * MINUTE,
      nextInvokeAt: hook.targetType === 'AWS_LAMBDA' ? now : undefined,
    };
    if (hook.targetType === 'PAUSE') {
      addEvent(
        run.service,
        now,
        `(service ${run.service.name}) (deployment ${run.green.id}) is paused at ${stage}, awaiting action on hook ${exec.hookId}.`,
      );
    }
    return exec;
  }

  /** Moves each hook of the stage on; 'continue' once all succeeded (or timed out with CONTINUE). */
  private runHooks(run: NativeRun, now: number): 'continue' | 'wait' | 'rollback' {
    for (const h of run.hooks) {
      if (h.status === 'IN_PROGRESS' && h.hook.targetType === 'AWS_LAMBDA' && now >= (h.nextInvokeAt ?? 0)) {
        const result = this.invoke(run, h.hook, h.stage, false);
        if (result.hookStatus === 'IN_PROGRESS') h.nextInvokeAt = now + (result.callBackDelay ?? 30) * 1000;
        else h.status = result.hookStatus;
      }
      if ((h.status === 'IN_PROGRESS' || h.status === 'AWAITING_ACTION') && now >= h.expiresAt) {
        h.status = 'TIMED_OUT';
      }
    }
    if (run.hooks.some((h) => h.status === 'FAILED')) return 'rollback';
    if (run.hooks.some((h) => h.status === 'TIMED_OUT' && h.hook.timeoutConfiguration.action === 'ROLLBACK'))
      return 'rollback';
    if (run.hooks.some((h) => h.status === 'IN_PROGRESS' || h.status === 'AWAITING_ACTION')) return 'wait';
    return 'continue';
  }

  private hookFailureReason(run: NativeRun): string {
    const h = run.hooks.find((x) => x.status === 'FAILED' || x.status === 'TIMED_OUT');
    if (!h) return 'Lifecycle hook failed.';
    return h.status === 'TIMED_OUT'
      ? `Lifecycle hook ${h.hookId} at ${h.stage} timed out.`
      : `Lifecycle hook ${h.hookId} at ${h.stage} failed.`;
  }

  private invoke(run: NativeRun, hook: LifecycleHook, stage: HookStage, rollback: boolean): LambdaHookResult {
    const payload = {
      executionDetails: {
        testTrafficWeights: this.trafficWeights(run, run.testPercent),
        productionTrafficWeights: this.trafficWeights(run, run.productionPercent),
        serviceArn: run.service.arn,
        targetServiceRevisionArn: this.revisionArnOf(run, run.green),
      },
      executionId: randomBytes(16).toString('hex'),
      lifecycleStage: stage,
      resourceArn: run.record.arn,
      hookDetails: hook.hookDetails,
    };
    const functionArn = hook.hookTargetArn ?? '';
    this.invocations.push({ functionArn, stage, payload, rollback });
    const fn = this.lambdas.get(functionArn);
    // A function that cannot be invoked, or throws, fails the hook.
    if (!fn) return { hookStatus: 'FAILED' };
    try {
      return fn(payload);
    } catch {
      return { hookStatus: 'FAILED' };
    }
  }

  private revisionArnOf(run: NativeRun, d: Deployment): string {
    return revisionArn(run.service, d);
  }

  private trafficWeights(run: NativeRun, greenPercent: number): Record<string, number> {
    return {
      [this.revisionArnOf(run, run.blue)]: 100 - greenPercent,
      [this.revisionArnOf(run, run.green)]: greenPercent,
    };
  }

  /** ECS writes the rule's forward action over the two groups (through the ELB part, so rule propagation applies). */
  private writeWeights(ruleArn: string, blueGroup: string, greenGroup: string, greenPercent: number): void {
    const w = weightsFor(greenPercent);
    this.sim.elb.setManagedForward(ruleArn, [
      { TargetGroupArn: blueGroup, Weight: w.blue },
      { TargetGroupArn: greenGroup, Weight: w.green },
    ]);
  }

  // ---------- endings ----------

  /** The bake is over: green serves production; the rolling scheduler drains blue (CLEAN_UP). */
  private finishForward(run: NativeRun, now: number): void {
    run.finished = true;
    this.handoffs.set(run.service, { run, at: now + this.sim.elb.propagationDelayMs, afterwards: () => {} });
    this.live.set(
      run.service,
      run.service.loadBalancers.map((lb, i) => {
        const g = run.groups.find((x) => x.lb === lb);
        return g ? g.greenGroup : (this.liveGroups(run.service)[i] ?? '');
      }),
    );
    // Later deployments register in the other group: keep blue's load balancers as configured.
    run.service.steadySince = undefined;
  }

  /**
   * Roll back: production and test weights go back to blue at once, the Lambda hooks of the
   * two shift stages are invoked for the rollback, blue becomes PRIMARY again and the rolling
   * scheduler drains green. Without `rollback` (alarms or breaker with rollback off, or
   * StopServiceDeployment ABORT) the deployment stops where it is.
   */
  rollback(
    run: NativeRun,
    now: number,
    reason: string,
    cause: { breaker?: boolean; alarms?: string[] },
    rollback = true,
  ): void {
    if (run.finished) return;
    run.finished = true;
    const green = run.green;
    if (green.rolloutState === 'IN_PROGRESS') {
      green.rolloutState = 'FAILED';
      green.rolloutStateReason = reason;
      green.updatedAt = new Date(now);
    }
    onRevisionFailed(run.service, green, now, reason, rollback ? run.blue : undefined, cause);
    if (!rollback) return;
    for (const g of run.groups) {
      this.writeWeights(g.adv.productionListenerRule, g.blueGroup, g.greenGroup, 0);
      if (g.adv.testListenerRule) this.writeWeights(g.adv.testListenerRule, g.blueGroup, g.greenGroup, 0);
    }
    for (const stage of ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'] as const) {
      for (const hook of this.hooksAt(run, stage))
        if (hook.targetType === 'AWS_LAMBDA') this.invoke(run, hook, stage, true);
    }
    run.productionPercent = 0;
    run.testPercent = 0;
    // Blue serves again once the rules' change propagated; only then is green drained.
    this.handoffs.set(run.service, {
      run,
      at: now + this.sim.elb.propagationDelayMs,
      afterwards: (at) => this.scheduler().rollBackTo(run.service, green, run.blue, at),
    });
  }

  // ---------- API operations ----------

  /** ContinueServiceDeployment: resolves a PAUSE hook AWAITING_ACTION with CONTINUE or ROLLBACK. */
  continueHook(run: NativeRun, hookId: string, action: 'CONTINUE' | 'ROLLBACK', now: number): void {
    const h = run.hooks.find((x) => x.hookId === hookId)!;
    if (action === 'CONTINUE') {
      h.status = 'SUCCEEDED';
      return;
    }
    h.status = 'FAILED';
    this.rollback(run, now, `Rolled back by ContinueServiceDeployment at ${h.stage} (hook ${hookId}).`, {});
  }

  /**
   * DescribeServiceDeployments for a native record: the current lifecycle stage, the hooks of
   * that stage, and each revision's requested production and test traffic weights.
   */
  decorate(record: ServiceDeploymentRecord, view: Record<string, unknown>): Record<string, unknown> {
    const run = this.runs.get(record);
    if (!run) return view;
    const weights = (summary: { arn?: string }) => {
      const green = summary.arn === revisionArn(run.service, run.green);
      return {
        ...summary,
        requestedProductionTrafficWeight: green ? run.productionPercent : 100 - run.productionPercent,
        requestedTestTrafficWeight: green ? run.testPercent : 100 - run.testPercent,
      };
    };
    return {
      ...view,
      targetServiceRevision: weights(view.targetServiceRevision as { arn?: string }),
      sourceServiceRevisions: (view.sourceServiceRevisions as { arn?: string }[]).map(weights),
      lifecycleStage: run.stage,
      lifecycleHookDetails: run.hooks.map((h) => ({
        hookId: h.hookId,
        targetType: h.hook.targetType,
        targetArn: h.hook.targetType === 'AWS_LAMBDA' ? h.hook.hookTargetArn : undefined,
        status: h.status,
        expiresAt: new Date(h.expiresAt),
        timeoutAction: h.hook.timeoutConfiguration.action,
      })),
    };
  }

  /** True once the bake is over and blue is being drained: no rollback, no alarm, from here on. */
  cleaningUp(service: Service, d: Deployment): boolean {
    for (const run of this.runs.values()) {
      if (run.service === service && run.green === d && run.finished && run.stage === 'CLEAN_UP') return true;
    }
    return false;
  }

  /** A failure of a native run's green revision (breaker, alarm, StopServiceDeployment); true when handled. */
  fail(
    service: Service,
    d: Deployment,
    now: number,
    reason: string,
    cause: { breaker?: boolean; alarms?: string[] },
    rollback: boolean,
  ): boolean {
    const run = this.active(service);
    if (!run || run.green !== d) return false;
    this.rollback(run, now, reason, cause, rollback);
    return true;
  }
}
