/**
 * The ECS part of the simulator: the control-plane API, a service scheduler in simulated time,
 * and tasks that are real HTTP servers on loopback. Tests drive it through the SDK like the
 * action does, and read or wait on its state directly through the methods below.
 */
import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';
import { ecsHandlers } from './api.js';
import { ImageCatalog } from './images.js';
import { arns, type Deployment, nameOf, type Service, type Task } from './model.js';
import { NativeDeployments } from './native-deployment.js';
import { defaultTimings, Scheduler, type Timings } from './scheduler.js';
import { EcsState } from './state.js';
import { serviceView, taskView } from './views.js';

export type { ImageBehaviour } from './images.js';
export type { Deployment, Service, Task } from './model.js';
export type { Timings } from './scheduler.js';

export interface WaitOptions {
  /** Wall milliseconds before giving up (default 10 000). */
  timeoutMs?: number;
  /** Wall milliseconds between checks (default 10). */
  intervalMs?: number;
  /** Shown in the timeout error. */
  what?: string;
}

export class EcsSim {
  readonly state = new EcsState();
  /** Image behaviour by tag convention, overridable per image or tag: `images.define('web:v3', {...})`. */
  readonly images: ImageCatalog;
  /** Simulated durations of the task lifecycle; change before starting deployments. */
  readonly timings: Timings = defaultTimings();
  readonly scheduler: Scheduler;
  /** ECS-native blue/green, linear and canary deployments (runs, Lambda hook functions, roles). */
  readonly native: NativeDeployments;
  readonly service: ServiceDefinition;

  constructor(readonly sim: Simulator) {
    this.images = new ImageCatalog(sim.ecr);
    this.scheduler = new Scheduler(sim, this.state, this.images, this.timings);
    this.native = new NativeDeployments(sim, this.state, () => this.scheduler);
    this.scheduler.strategies = this.native;
    this.service = {
      name: 'ecs',
      protocol: 'json1.1',
      targetPrefix: 'AmazonEC2ContainerServiceV20141113',
      throttleCode: 'ThrottlingException',
      handlers: ecsHandlers({ sim, state: this.state, scheduler: this.scheduler, native: this.native }),
    };
    this.scheduler.start();
  }

  // ---------- test API: read state ----------

  /** A service by cluster and name (or ARN), whatever its status. */
  getService(cluster: string, service: string): Service | undefined {
    return this.state.services.get(arns.service(nameOf(cluster), nameOf(service)));
  }

  /**
   * Set a service's desired count as Application Auto Scaling does (an UpdateService of the
   * count only: no new deployment).
   */
  setDesiredCount(cluster: string, service: string, desired: number): void {
    const s = this.getService(cluster, service);
    if (s?.status !== 'ACTIVE') return;
    s.desiredCount = desired;
    s.steadySince = undefined;
    if (s.deployments[0]) {
      s.deployments[0].desiredCount = desired;
      s.deployments[0].updatedAt = new Date(this.sim.clock.now());
    }
  }

  /** The service exactly as DescribeServices would return it (Dates, not epoch seconds). */
  describeService(cluster: string, service: string): ReturnType<typeof serviceView> | undefined {
    const s = this.getService(cluster, service);
    return s ? serviceView(s, this.state.tasksOf(s), true) : undefined;
  }

  /** Tasks of a service (all deployments, stopped ones included), oldest first. */
  tasks(cluster: string, service?: string): Task[] {
    const c = nameOf(cluster);
    return [...this.state.tasks.values()].filter(
      (t) => t.cluster.name === c && (service === undefined || t.service?.name === nameOf(service)),
    );
  }

  /** A task as DescribeTasks would return it. */
  describeTask(task: Task): ReturnType<typeof taskView> {
    return taskView(task, true);
  }

  /** The service's deployments, newest first (PRIMARY first). */
  deployments(cluster: string, service: string): Deployment[] {
    return this.getService(cluster, service)?.deployments ?? [];
  }

  /** Any deployment the service ever had, by id (INACTIVE ones included, unlike `deployments`). */
  deployment(cluster: string, service: string, id: string): Deployment | undefined {
    return this.getService(cluster, service)?.history.find((d) => d.id === id);
  }

  /** Event messages, newest first. */
  events(cluster: string, service: string): string[] {
    return this.getService(cluster, service)?.events.map((e) => e.message) ?? [];
  }

  /** Tasks of a service that are RUNNING, healthy and not being stopped. */
  healthyTasks(cluster: string, service: string): Task[] {
    return this.tasks(cluster, service).filter(
      (t) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING' && t.healthyAt !== undefined,
    );
  }

  /**
   * True when the service is where DescribeServices-based waiters consider it stable and the
   * deployment completed: one deployment, COMPLETED, running = desired, nothing starting or stopping.
   */
  isSteady(cluster: string, service: string): boolean {
    const s = this.getService(cluster, service);
    return s?.steadySince !== undefined;
  }

  // ---------- test API: wait ----------

  /** Resolve with the predicate's first truthy value, checking every few wall ms; reject on timeout. */
  async waitFor<T>(predicate: () => T | undefined | null | false, options: WaitOptions = {}): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${options.timeoutMs ?? 10_000} ms waiting for ${options.what ?? 'condition'}`,
        );
      }
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 10));
    }
  }

  /** Wait until a service reaches a steady state (see `isSteady`). */
  waitForSteady(cluster: string, service: string, options: WaitOptions = {}): Promise<true> {
    return this.waitFor(() => this.isSteady(cluster, service), { what: `${service} steady`, ...options });
  }

  /** Wait until the service's PRIMARY deployment has the given rollout state. */
  waitForRollout(
    cluster: string,
    service: string,
    state: Deployment['rolloutState'],
    options: WaitOptions = {},
  ): Promise<Deployment> {
    return this.waitFor(
      () =>
        this.deployments(cluster, service).find((d) => d.status === 'PRIMARY' && d.rolloutState === state),
      { what: `${service} rollout ${state}`, ...options },
    );
  }

  /** Wait until a given deployment (found by id, even once INACTIVE) has the given rollout state. */
  waitForDeployment(
    cluster: string,
    service: string,
    id: string,
    state: Deployment['rolloutState'],
    options: WaitOptions = {},
  ): Promise<Deployment> {
    return this.waitFor(
      () => {
        const d = this.deployment(cluster, service, id);
        return d?.rolloutState === state ? d : undefined;
      },
      { what: `${id} ${state}`, ...options },
    );
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
  }
}
