/**
 * The ECS service scheduler in simulated time. A wall-clock timer ticks every few milliseconds;
 * each tick moves tasks through their lifecycle and reconciles every service toward its desired
 * count within the deployment configuration, the way ECS's rolling update does:
 * stop what the minimum-healthy bound allows, start what the maximum bound allows, count
 * consecutive failures for the circuit breaker, roll back, report events.
 */
import type { TargetRef } from '../contracts.js';
import type { Simulator } from '../index.js';
import { TaskServer } from './container.js';
import { addEvent, messages, rollout } from './events.js';
import type { ImageCatalog } from './images.js';
import {
  arns,
  type Cluster,
  type Container,
  type Deployment,
  type LoadBalancer,
  newTaskId,
  type Service,
  type StopCode,
  type Tag,
  type Task,
  type TaskOverrides,
} from './model.js';
import { runScript, scriptOf } from './program.js';
import { onRevisionCompleted, onRevisionFailed } from './service-deployments.js';
import type { EcsState } from './state.js';

/** Durations of the simulated AWS side, in simulated milliseconds (tests may change them). */
export interface Timings {
  /** PROVISIONING (ENI attachment, capacity) before PENDING. */
  provisioningMs: number;
  /** PENDING (image pull, container start) before RUNNING. */
  pendingMs: number;
  /** Without load balancer or container health check, a task counts as healthy this long after RUNNING. */
  healthyWithoutChecksMs: number;
  /** SIGTERM to STOPPED. */
  stoppingMs: number;
  /** How often "has reached a steady state." repeats while nothing changes. */
  steadyEventEveryMs: number;
  /** How often the "unable to stop or start tasks" event repeats while stuck. */
  stuckEventEveryMs: number;
  /** Longest back-off between launches after repeated failures (ECS: 15 minutes). */
  maxLaunchBackoffMs: number;
  /** Wall milliseconds between scheduler ticks. */
  tickWallMs: number;
}

export const defaultTimings = (): Timings => ({
  provisioningMs: 5_000,
  pendingMs: 10_000,
  healthyWithoutChecksMs: 40_000,
  stoppingMs: 3_000,
  steadyEventEveryMs: 30 * 60_000,
  stuckEventEveryMs: 10 * 60_000,
  maxLaunchBackoffMs: 15 * 60_000,
  tickWallMs: 15,
});

/** Events of one tick, grouped per service the way ECS reports several tasks in one line. */
class TickEvents {
  private readonly started = new Map<Service, string[]>();
  private readonly stopped = new Map<Service, string[]>();
  private readonly draining = new Map<Service, number>();
  private readonly registered = new Map<Service, Map<string, number>>();
  private readonly deregistered = new Map<Service, Map<string, number>>();

  start(s: Service, id: string) {
    this.started.set(s, [...(this.started.get(s) ?? []), id]);
  }
  stop(s: Service, id: string) {
    this.stopped.set(s, [...(this.stopped.get(s) ?? []), id]);
  }
  drain(s: Service) {
    this.draining.set(s, (this.draining.get(s) ?? 0) + 1);
  }
  register(s: Service, tg: string) {
    bump(this.registered, s, tg);
  }
  deregister(s: Service, tg: string) {
    bump(this.deregistered, s, tg);
  }

  flush(now: number) {
    for (const [s, n] of this.draining) addEvent(s, now, messages.draining(s.name, n));
    for (const [s, groups] of this.deregistered)
      for (const [tg, n] of groups) addEvent(s, now, messages.deregistered(s.name, n, tg));
    for (const [s, ids] of this.stopped) addEvent(s, now, messages.stopped(s.name, ids));
    for (const [s, ids] of this.started) addEvent(s, now, messages.started(s.name, ids));
    for (const [s, groups] of this.registered)
      for (const [tg, n] of groups) addEvent(s, now, messages.registered(s.name, n, tg));
  }
}

function bump(map: Map<Service, Map<string, number>>, s: Service, tg: string) {
  const groups = map.get(s) ?? new Map<string, number>();
  groups.set(tg, (groups.get(tg) ?? 0) + 1);
  map.set(s, groups);
}

interface StopRequest {
  reason: string;
  code: StopCode;
  /** Exit code of essential containers once stopped (unset: keep what the container reported). */
  exitCode?: number;
  /** Counts against the deployment's circuit breaker. */
  failure: boolean;
  /** Deregister and wait the target groups' deregistration delay first (the scheduler's orderly stop). */
  drain: boolean;
}

export interface TaskSpec {
  cluster: Cluster;
  service?: Service;
  deploymentId?: string;
  startedBy?: string;
  group: string;
  taskDefinitionArn: string;
  loadBalancers: LoadBalancer[];
  launchType: string;
  tags: Tag[];
  overrides?: TaskOverrides;
  capacityProviderName?: string;
}

/** The text ECS reports when the awslogs driver cannot find its log group (*observed*). */
export const LOG_GROUP_MISSING =
  'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: ' +
  'failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1';

export const THRESHOLD_MIN = 3;
export const THRESHOLD_MAX = 200;

/** ECS's circuit-breaker failure threshold for a desired count. */
export function failureThreshold(desired: number): number {
  return Math.min(THRESHOLD_MAX, Math.max(THRESHOLD_MIN, Math.ceil(0.5 * desired)));
}

/**
 * A deployment strategy that takes a service over from the rolling scheduler for a while
 * (ECS-native blue/green, linear, canary: native-deployment.ts).
 */
export interface StrategyHooks {
  /** Runs the service's tick instead of the rolling logic; true while it owns the service. */
  reconcile(service: Service, now: number): boolean;
  /** A failure of deployment `d` (breaker, alarm, stop request); true when the strategy handled it. */
  fail(
    service: Service,
    d: Deployment,
    now: number,
    reason: string,
    cause: { breaker?: boolean; alarms?: string[] },
    rollback: boolean,
  ): boolean;
  /** True when `d` is past the point of rollback (alarms are no longer watched). */
  cleaningUp(service: Service, d: Deployment): boolean;
}

export class Scheduler {
  private timer?: NodeJS.Timeout;
  /** Set by EcsSim: native deployments. */
  strategies?: StrategyHooks;
  private events = new TickEvents();
  private readonly pending = new Set<Promise<unknown>>();
  /** The last error a tick raised (kept for tests; a tick never throws into the timer). */
  lastError?: unknown;

  constructor(
    private readonly sim: Simulator,
    private readonly state: EcsState,
    private readonly images: ImageCatalog,
    readonly timings: Timings,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.timings.tickWallMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.pending]);
    await Promise.allSettled([...this.state.tasks.values()].map((t) => t.server?.close()));
  }

  tick(): void {
    const now = this.sim.clock.now();
    this.events = new TickEvents();
    try {
      for (const task of this.state.tasks.values())
        if (task.lastStatus !== 'STOPPED') this.advance(task, now);
      for (const service of this.state.services.values()) {
        if (service.status !== 'INACTIVE') this.reconcile(service, now);
      }
    } catch (err) {
      // A bug here must be loud, but throwing from a timer would take the test process down.
      if (this.lastError === undefined) console.error('ECS simulator scheduler error:', err);
      this.lastError = err;
    }
    this.events.flush(now);
  }

  // ---------- tasks ----------

  /** Start a task for a service's deployment. */
  launch(service: Service, deployment: Deployment, now: number): Task {
    const task = this.createTask(
      {
        cluster: service.cluster,
        service,
        deploymentId: deployment.id,
        startedBy: deployment.id,
        group: `service:${service.name}`,
        taskDefinitionArn: deployment.taskDefinitionArn,
        loadBalancers: deployment.loadBalancers,
        launchType: deployment.launchType ?? 'FARGATE',
        tags: [
          ...(service.extra.propagateTags === 'SERVICE' ? service.tags : []),
          // ECS managed tags name the cluster and service the task belongs to.
          ...(service.extra.enableECSManagedTags === true
            ? [
                { key: 'aws:ecs:clusterName', value: service.cluster.name },
                { key: 'aws:ecs:serviceName', value: service.name },
              ]
            : []),
        ],
      },
      now,
    );
    this.events.start(service, task.id);
    return task;
  }

  /** A task outside any service (RunTask): same lifecycle, no target groups, no deployment. */
  createTask(spec: TaskSpec, now: number): Task {
    const td = this.state.taskDefinitions.get(spec.taskDefinitionArn);
    const input = td?.input ?? {};
    const defs = (input.containerDefinitions as Record<string, unknown>[] | undefined) ?? [];
    const id = newTaskId();
    const lbPort = (name: string) =>
      spec.loadBalancers.find((lb) => lb.containerName === name)?.containerPort;
    const containers: Container[] = defs.map((d) => {
      const image = String(d.image ?? '');
      const resolved = this.images.resolve(image);
      const name = String(d.name ?? 'app');
      const mappings = (d.portMappings as { containerPort?: number }[] | undefined) ?? [];
      const hc = d.healthCheck as Container['healthCheck'] | undefined;
      const override = spec.overrides?.containerOverrides?.find((o) => o.name === name);
      // RunTask overrides replace the command and add to (or replace entries of) the environment.
      const environment: Record<string, string> = {};
      for (const e of [
        ...((d.environment as { name?: string; value?: string }[] | undefined) ?? []),
        ...(override?.environment ?? []),
      ])
        if (e.name) environment[e.name] = e.value ?? '';
      const command = override?.command ?? (d.command as string[] | undefined);
      const script = scriptOf(command);
      const behaviour = this.images.behaviour(image, resolved);
      let output = (behaviour.output ?? []).map((message) => ({ afterMs: 0, message }));
      if (script !== undefined) {
        const program = runScript(script, environment);
        behaviour.crashExitCode = program.exitCode;
        behaviour.crashAfterMs = program.exitAfterMs;
        output = program.lines;
      }
      return {
        name,
        image,
        essential: d.essential !== false,
        behaviour,
        pullError: resolved.pullError,
        containerPort: lbPort(name) ?? mappings[0]?.containerPort,
        hasHealthCheck: hc !== undefined,
        healthCheck: hc,
        healthStatus: 'UNKNOWN',
        awslogs: awslogsOf(d, name, id),
        output,
        written: 0,
      };
    });
    const main =
      containers.find((c) => c.name === spec.loadBalancers[0]?.containerName) ??
      containers.find((c) => c.containerPort !== undefined) ??
      containers[0];
    if (!main) throw new Error(`task definition ${spec.taskDefinitionArn} has no containers`);
    const task: Task = {
      id,
      arn: arns.task(spec.cluster.name, id),
      cluster: spec.cluster,
      service: spec.service,
      deploymentId: spec.deploymentId,
      startedBy: spec.startedBy,
      group: spec.group,
      taskDefinitionArn: spec.taskDefinitionArn,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthStatus: 'UNKNOWN',
      containers,
      main,
      launchType: spec.launchType,
      networkMode: String(input.networkMode ?? (spec.launchType === 'EC2' ? 'bridge' : 'awsvpc')),
      createdAt: new Date(now),
      nextAt: now + this.timings.provisioningMs,
      failure: false,
      registeredIn: [],
      tags: spec.tags,
      cpu: spec.overrides?.cpu ?? (input.cpu === undefined ? undefined : String(input.cpu)),
      memory: spec.overrides?.memory ?? (input.memory === undefined ? undefined : String(input.memory)),
      overrides: spec.overrides,
      capacityProviderName: spec.capacityProviderName,
    };
    this.state.tasks.set(task.arn, task);
    return task;
  }

  private advance(task: Task, now: number): void {
    switch (task.lastStatus) {
      case 'PROVISIONING':
        if (now >= task.nextAt) {
          task.lastStatus = 'PENDING';
          task.pullStartedAt = new Date(now);
          task.nextAt = now + this.timings.pendingMs;
        }
        return;
      case 'PENDING':
        if (now >= task.nextAt) this.startContainers(task, now);
        return;
      case 'RUNNING':
        if (task.desiredStatus === 'RUNNING') this.watchRunning(task, now);
        return;
      case 'DEACTIVATING':
        if (now >= task.nextAt && Date.now() >= (task.drainWallUntil ?? 0)) {
          // SIGTERM: the process ends, the port closes.
          task.lastStatus = 'STOPPING';
          task.nextAt = now + this.timings.stoppingMs;
          if (task.announceStop && task.service) this.events.stop(task.service, task.id);
          this.closeServer(task);
        }
        return;
      case 'STOPPING':
      case 'DEPROVISIONING':
      case 'ACTIVATING':
        if (now >= task.nextAt) this.finishStop(task, now);
        return;
      default:
        return;
    }
  }

  private startContainers(task: Task, now: number): void {
    // The awslogs driver checks its log group before any container starts.
    const noGroup = task.containers.find(
      (c) => c.awslogs && !c.awslogs.createGroup && !this.sim.logs.logGroupExists(c.awslogs.group),
    );
    if (noGroup) {
      noGroup.reason = LOG_GROUP_MISSING;
      this.stopTask(task, now, {
        reason: LOG_GROUP_MISSING,
        code: 'TaskFailedToStart',
        failure: true,
        drain: false,
      });
      return;
    }
    for (const c of task.containers)
      if (c.awslogs?.createGroup) this.sim.logs.ensureLogGroup(c.awslogs.group);
    const failed = task.containers.find((c) => c.pullError);
    if (failed) {
      failed.reason = failed.pullError;
      this.stopTask(task, now, {
        reason: failed.pullError ?? 'CannotPullContainerError',
        code: 'TaskFailedToStart',
        failure: true,
        drain: false,
      });
      return;
    }
    if (!task.server) {
      const server = new TaskServer(task.id, task.main.behaviour);
      task.server = server;
      const listening = server.listen().then(
        (port) => {
          task.port = port;
        },
        (err: unknown) => {
          this.lastError = err;
        },
      );
      this.pending.add(listening);
      void listening.finally(() => this.pending.delete(listening));
      return;
    }
    if (task.port === undefined) return; // still binding
    task.lastStatus = 'RUNNING';
    task.pullStoppedAt = new Date(now);
    task.startedAt = new Date(now);
    const service = task.service;
    const deployment = this.deploymentOf(task);
    if (service && deployment) {
      for (const lb of deployment.loadBalancers) {
        if (!lb.targetGroupArn) continue;
        this.sim.elb.registerTarget(lb.targetGroupArn, this.targetOf(task));
        task.registeredIn.push(lb.targetGroupArn);
        this.events.register(service, lb.targetGroupArn);
      }
    }
  }

  /** Send what containers wrote up to `until` (simulated ms) to their awslogs streams. */
  private writeOutput(task: Task, until: number): void {
    const startedAt = task.startedAt?.getTime();
    if (startedAt === undefined) return;
    for (const c of task.containers) {
      while (c.written < c.output.length && startedAt + c.output[c.written]!.afterMs <= until) {
        const line = c.output[c.written]!;
        c.written += 1;
        if (c.awslogs)
          this.sim.logs.write(c.awslogs.group, c.awslogs.stream, startedAt + line.afterMs, line.message);
      }
    }
  }

  private watchRunning(task: Task, now: number): void {
    this.writeOutput(task, now);
    const startedAt = task.startedAt?.getTime() ?? now;
    // An essential container that exits on its own takes the task down.
    const crashing = task.containers.find((c) => c.essential && c.behaviour.crashExitCode !== undefined);
    if (crashing && now >= startedAt + (crashing.behaviour.crashAfterMs ?? 0)) {
      // Everything it wrote before exiting reaches the log, even if this tick came late.
      this.writeOutput(task, startedAt + (crashing.behaviour.crashAfterMs ?? 0));
      crashing.exitCode = crashing.behaviour.crashExitCode;
      this.closeServer(task);
      this.stopTask(task, now, {
        reason: 'Essential container in task exited',
        code: 'EssentialContainerExited',
        failure: task.healthyAt === undefined,
        drain: false,
      });
      return;
    }

    // Container health checks: decided after the start period plus one interval.
    for (const c of task.containers) {
      if (!c.hasHealthCheck || c.healthStatus !== 'UNKNOWN') continue;
      const startPeriod = (c.healthCheck?.startPeriod ?? 0) * 1000;
      const interval = (c.healthCheck?.interval ?? 30) * 1000;
      const retries = c.behaviour.containerHealthy ? 1 : (c.healthCheck?.retries ?? 3);
      if (now >= startedAt + startPeriod + interval * retries) {
        c.healthStatus = c.behaviour.containerHealthy ? 'HEALTHY' : 'UNHEALTHY';
      }
    }
    const checked = task.containers.filter((c) => c.hasHealthCheck);
    if (checked.some((c) => c.essential && c.healthStatus === 'UNHEALTHY')) task.healthStatus = 'UNHEALTHY';
    else if (checked.length && checked.every((c) => c.healthStatus === 'HEALTHY'))
      task.healthStatus = 'HEALTHY';

    const service = task.service;
    const deployment = this.deploymentOf(task);
    const groups = task.registeredIn;
    const target = this.targetOf(task);
    const health = groups.map((tg) => ({ tg, view: this.sim.elb.targetHealth(tg, target) }));
    const elbHealthy = health.every((h) => h.view.State === 'healthy');
    const containerHealthy = checked.length === 0 || task.healthStatus === 'HEALTHY';
    const timedHealthy =
      groups.length > 0 || checked.length > 0 || now >= startedAt + this.timings.healthyWithoutChecksMs;
    if (task.healthyAt === undefined && elbHealthy && containerHealthy && timedHealthy) {
      task.healthyAt = now;
      // resetOnHealthyTask: one healthy task clears the deployment's consecutive failures.
      if (deployment) deployment.failedTasks = 0;
    }

    if (!service) return;
    const grace = (service.healthCheckGracePeriodSeconds ?? 0) * 1000;
    if (now < startedAt + grace) return;
    const sick = health.find((h) => h.view.State === 'unhealthy');
    if (sick) {
      addEvent(
        service,
        now,
        messages.unhealthyInTg(
          service.name,
          task.id,
          task.port ?? 0,
          sick.tg,
          sick.view.Description ?? 'Health checks failed',
        ),
      );
      this.stopTask(task, now, {
        reason: `Task failed ELB health checks in (target-group ${sick.tg})`,
        code: 'ServiceSchedulerInitiated',
        exitCode: 137,
        failure: true,
        drain: true,
      });
      return;
    }
    if (task.healthStatus === 'UNHEALTHY') {
      addEvent(service, now, messages.failedContainerHealth(service.name, task.id));
      this.stopTask(task, now, {
        reason: 'Task failed container health checks',
        code: 'ServiceSchedulerInitiated',
        exitCode: 137,
        failure: true,
        drain: true,
      });
    }
  }

  /** Begin stopping a task: deregister and drain when it was serving, then SIGTERM, then STOPPED. */
  stopTask(task: Task, now: number, req: StopRequest): void {
    if (task.desiredStatus === 'STOPPED') return;
    if (task.lastStatus === 'RUNNING') this.writeOutput(task, now);
    task.desiredStatus = 'STOPPED';
    task.stoppedReason = req.reason;
    task.stopCode = req.code;
    task.stoppingAt = new Date(now);
    task.failure = req.failure;
    task.exitCodeOnStop = req.exitCode;
    const service = task.service;
    let delay = 0;
    if (task.registeredIn.length) {
      for (const tg of task.registeredIn) {
        this.sim.elb.deregisterTarget(tg, this.targetOf(task));
        delay = Math.max(delay, this.sim.elb.deregistrationDelayMs(tg));
        if (service) this.events.deregister(service, tg);
      }
      if (service) this.events.drain(service);
      task.registeredIn = [];
    }
    if (task.lastStatus === 'RUNNING') {
      task.lastStatus = 'DEACTIVATING';
      task.nextAt = now + (req.drain ? delay : 0);
      // Requests in flight to the target finish before SIGTERM, as the delay intends on AWS.
      if (req.drain && delay > 0) task.drainWallUntil = Date.now() + this.sim.elb.minDrainWallMs;
    } else {
      task.lastStatus = 'DEPROVISIONING';
      task.nextAt = now;
      this.closeServer(task);
    }
    if (req.failure) this.countFailure(task, now);
  }

  private finishStop(task: Task, now: number): void {
    task.lastStatus = 'STOPPED';
    task.stoppedAt = new Date(now);
    task.executionStoppedAt = new Date(now);
    task.healthStatus = task.healthStatus === 'HEALTHY' ? 'UNKNOWN' : task.healthStatus;
    if (task.startedAt) {
      for (const c of task.containers) {
        if (c.exitCode === undefined) c.exitCode = task.exitCodeOnStop ?? 0;
      }
    }
    this.closeServer(task);
  }

  private closeServer(task: Task): void {
    const server = task.server;
    if (!server || server.closed) return;
    const closing = server.close();
    this.pending.add(closing);
    void closing.finally(() => this.pending.delete(closing));
  }

  private targetOf(task: Task): TargetRef {
    return { id: '127.0.0.1', port: task.port ?? 0 };
  }

  private deploymentOf(task: Task): Deployment | undefined {
    return task.service?.history.find((d) => d.id === task.deploymentId);
  }

  // ---------- circuit breaker ----------

  private countFailure(task: Task, now: number): void {
    const service = task.service;
    const deployment = this.deploymentOf(task);
    // Once the breaker has tripped the count is frozen at the threshold, as DescribeServices shows it.
    if (!service || !deployment || deployment.rolloutState === 'FAILED') return;
    deployment.failedTasks++;
    deployment.updatedAt = new Date(now);
    // ECS backs off relaunching a deployment whose tasks keep failing.
    if (deployment.failedTasks >= 3) {
      const backoff = Math.min(this.timings.maxLaunchBackoffMs, 10_000 * 2 ** (deployment.failedTasks - 3));
      deployment.nextLaunchAt = now + backoff;
      if (!deployment.reportedUnableToStart) {
        deployment.reportedUnableToStart = true;
        addEvent(service, now, messages.unableToStart(service.name));
      }
    }
    const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
    if (
      breaker.enable &&
      deployment.rolloutState === 'IN_PROGRESS' &&
      deployment === service.deployments[0] &&
      deployment.failedTasks >= failureThreshold(deployment.desiredCount)
    ) {
      this.failDeployment(service, deployment, now);
    }
  }

  private failDeployment(service: Service, failed: Deployment, now: number): void {
    failed.rolloutState = 'FAILED';
    failed.rolloutStateReason = rollout.failed;
    failed.updatedAt = new Date(now);
    addEvent(service, now, messages.deploymentFailed(service.name, failed.id));
    const wantRollback = service.deploymentConfiguration.deploymentCircuitBreaker.rollback;
    if (this.strategies?.fail(service, failed, now, rollout.failed, { breaker: true }, wantRollback)) return;
    const target = wantRollback ? this.rollbackTarget(service, failed) : undefined;
    onRevisionFailed(service, failed, now, rollout.failed, target, { breaker: true });
    // Without a COMPLETED deployment to go back to, nothing is launched and the deployment stalls.
    if (target) this.rollBackTo(service, failed, target, now);
  }

  /**
   * Deployment alarms: while the PRIMARY deployment is in progress, any of the configured
   * CloudWatch alarms in ALARM fails it (and rolls back when asked), like the circuit breaker.
   */
  private checkAlarms(service: Service, primary: Deployment, now: number): void {
    const alarms = service.deploymentConfiguration.alarms;
    if (!alarms?.enable || primary.rolloutState !== 'IN_PROGRESS' || !alarms.alarmNames?.length) return;
    // A rollback is not failed by the alarm that caused it.
    if (primary.rollingBack) return;
    if (this.strategies?.cleaningUp(service, primary)) return;
    const firing = alarms.alarmNames.filter((name) => this.sim.cloudwatch.alarmState(name) === 'ALARM');
    if (firing.length === 0) return;
    const reason = rollout.alarmFailed(firing);
    primary.rolloutState = 'FAILED';
    primary.rolloutStateReason = reason;
    primary.updatedAt = new Date(now);
    addEvent(service, now, messages.alarmFailed(service.name, primary.id, firing));
    if (this.strategies?.fail(service, primary, now, reason, { alarms: firing }, alarms.rollback)) return;
    const target = alarms.rollback ? this.rollbackTarget(service, primary) : undefined;
    onRevisionFailed(service, primary, now, reason, target, { alarms: firing });
    if (target) this.rollBackTo(service, primary, target, now);
  }

  /** The deployment a rollback returns to: the most recent COMPLETED one, if it is not `from`. */
  rollbackTarget(service: Service, from: Deployment): Deployment | undefined {
    const target = service.lastCompleted;
    return target && target !== from ? target : undefined;
  }

  /** The last COMPLETED deployment becomes PRIMARY again and replaces the failed one's tasks. */
  rollBackTo(service: Service, failed: Deployment, target: Deployment, now: number): void {
    target.status = 'PRIMARY';
    target.rolloutState = 'IN_PROGRESS';
    target.rolloutStateReason = rollout.rollingBack(target.id);
    target.rollingBack = true;
    target.failedTasks = 0;
    target.nextLaunchAt = undefined;
    target.updatedAt = new Date(now);
    target.desiredCount = service.desiredCount;
    failed.status = 'ACTIVE';
    service.deployments = [target, ...service.deployments.filter((d) => d !== target)];
    service.taskDefinitionArn = target.taskDefinitionArn;
    service.steadySince = undefined;
    addEvent(service, now, messages.rollingBack(service.name, target.id));
  }

  /** StopServiceDeployment: ROLLBACK goes back to the last COMPLETED deployment, ABORT just stops launching. */
  stopDeployment(service: Service, d: Deployment, now: number, stopType: 'ROLLBACK' | 'ABORT'): void {
    const reason = `Service deployment stopped by request (${stopType}).`;
    if (this.strategies?.fail(service, d, now, reason, {}, stopType === 'ROLLBACK')) return;
    d.rolloutState = 'FAILED';
    d.rolloutStateReason = reason;
    d.updatedAt = new Date(now);
    const target = stopType === 'ROLLBACK' ? this.rollbackTarget(service, d) : undefined;
    onRevisionFailed(service, d, now, reason, target, {});
    if (target) this.rollBackTo(service, d, target, now);
  }

  // ---------- services ----------

  private reconcile(service: Service, now: number): void {
    if (service.status === 'ACTIVE') {
      const clamped = this.sim.autoscaling.clampDesiredCount(
        service.cluster.name,
        service.name,
        service.desiredCount,
      );
      if (clamped !== service.desiredCount) service.desiredCount = clamped;
    }
    const desired = service.status === 'DRAINING' ? 0 : service.desiredCount;
    if (service.status === 'ACTIVE' && service.deployments[0])
      this.checkAlarms(service, service.deployments[0], now);
    if (service.status === 'ACTIVE' && this.strategies?.reconcile(service, now)) {
      service.steadySince = undefined;
      return;
    }
    const primary = service.deployments[0];
    if (!primary) return;
    primary.desiredCount = desired;
    const tasks = this.state.tasksOf(service);
    const live = () => tasks.filter((t) => t.desiredStatus === 'RUNNING');

    // Older deployments whose tasks are all gone are done.
    for (const d of service.deployments.slice(1)) {
      if (!tasks.some((t) => t.deploymentId === d.id && t.lastStatus !== 'STOPPED')) {
        d.status = 'INACTIVE';
        d.updatedAt = new Date(now);
      }
      d.desiredCount = live().filter((t) => t.deploymentId === d.id).length;
    }
    service.deployments = service.deployments.filter((d) => d.status !== 'INACTIVE');

    const config = service.deploymentConfiguration;
    const minHealthy = Math.ceil((desired * config.minimumHealthyPercent) / 100);
    const maxTotal = Math.floor((desired * config.maximumPercent) / 100);
    const stalled = primary.rolloutState === 'FAILED';
    let acted = false;

    // Stop first: tasks that are not healthy cost nothing; healthy ones only above the minimum.
    if (!stalled || desired === 0) {
      const isPrimary = (t: Task) => t.deploymentId === primary.id;
      const current = live();
      const excess = Math.max(0, current.filter(isPrimary).length - desired);
      const candidates = [
        ...current.filter((t) => !isPrimary(t)),
        ...current
          .filter(isPrimary)
          .sort((a, b) => rank(a) - rank(b) || b.createdAt.getTime() - a.createdAt.getTime())
          .slice(0, excess),
      ].sort((a, b) => rank(a) - rank(b));
      let healthy = current.filter((t) => t.healthyAt !== undefined && t.lastStatus === 'RUNNING').length;
      for (const task of candidates) {
        const counts = task.healthyAt !== undefined && task.lastStatus === 'RUNNING';
        if (counts && healthy - 1 < minHealthy) continue;
        if (counts) healthy--;
        // ECS reports the stop once draining is over and the task is actually told to stop.
        task.announceStop = task.lastStatus === 'RUNNING';
        this.stopTask(task, now, {
          reason: `Scaling activity initiated by (deployment ${primary.id})`,
          code: 'ServiceSchedulerInitiated',
          failure: false,
          drain: true,
        });
        acted = true;
      }
    }

    // Then start what the maximum allows.
    const current = live();
    const primaryCount = current.filter((t) => t.deploymentId === primary.id).length;
    const canLaunch = !stalled && (primary.nextLaunchAt === undefined || now >= primary.nextLaunchAt);
    const toStart = canLaunch ? Math.max(0, Math.min(desired - primaryCount, maxTotal - current.length)) : 0;
    for (let i = 0; i < toStart; i++) {
      this.launch(service, primary, now);
      acted = true;
    }

    const after = live();
    const transitioning = tasks.some(
      (t) =>
        (t.desiredStatus === 'RUNNING' && (t.lastStatus !== 'RUNNING' || t.healthyAt === undefined)) ||
        (t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED'),
    );
    const primaryLive = after.filter((t) => t.deploymentId === primary.id);
    const workLeft = after.length !== primaryLive.length || primaryLive.length !== desired;
    if (!acted && !transitioning && workLeft && !stalled && canLaunch && service.status === 'ACTIVE') {
      if (
        primary.stuckEventAt === undefined ||
        now - primary.stuckEventAt >= this.timings.stuckEventEveryMs
      ) {
        primary.stuckEventAt = now;
        addEvent(service, now, messages.stuck(service.name));
      }
    }

    if (
      primary.rolloutState === 'IN_PROGRESS' &&
      service.deployments.length === 1 &&
      primaryLive.length === desired &&
      primaryLive.every((t) => t.healthyAt !== undefined && t.lastStatus === 'RUNNING')
    ) {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = rollout.completed(primary.id);
      primary.updatedAt = new Date(now);
      service.lastCompleted = primary;
      primary.rollingBack = false;
      addEvent(service, now, messages.deploymentCompleted(service.name, primary.id));
      onRevisionCompleted(service, primary, now);
    }

    if (service.status === 'DRAINING') {
      if (tasks.every((t) => t.lastStatus === 'STOPPED')) service.status = 'INACTIVE';
      return;
    }

    const steady =
      service.deployments.length === 1 && primary.rolloutState === 'COMPLETED' && !transitioning && !workLeft;
    if (!steady) {
      service.steadySince = undefined;
      return;
    }
    if (service.steadySince === undefined) service.steadySince = now;
    if (
      service.lastSteadyEventAt === undefined ||
      service.lastSteadyEventAt < service.steadySince ||
      now - service.lastSteadyEventAt >= this.timings.steadyEventEveryMs
    ) {
      service.lastSteadyEventAt = now;
      addEvent(service, now, messages.steady(service.name));
    }
  }
}

/** Stop order: not yet started, then started but not healthy, then healthy. */
function rank(task: Task): number {
  if (task.lastStatus !== 'RUNNING') return 0;
  return task.healthyAt === undefined ? 1 : 2;
}

/** The awslogs destination of a container definition: `<prefix>/<container>/<task-id>` in its group. */
function awslogsOf(def: Record<string, unknown>, container: string, taskId: string): Container['awslogs'] {
  const config = def.logConfiguration as { logDriver?: string; options?: Record<string, string> } | undefined;
  if (config?.logDriver !== 'awslogs') return undefined;
  const options = config.options ?? {};
  const group = options['awslogs-group'];
  if (!group) return undefined;
  const prefix = options['awslogs-stream-prefix'];
  // Without a prefix the stream is named after the Docker container id (EC2); the simulator
  // derives one from the task id and container name.
  const stream = prefix
    ? `${prefix}/${container}/${taskId}`
    : `${taskId}${Buffer.from(container).toString('hex')}`.slice(0, 64);
  return { group, stream, createGroup: options['awslogs-create-group'] === 'true' };
}
