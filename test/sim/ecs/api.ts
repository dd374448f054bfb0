/** The ECS API handlers (awsJson1_1, `AmazonEC2ContainerServiceV20141113.<Operation>`). */

import { ACCOUNT } from '../contracts.js';
import { AwsError } from '../core/errors.js';
import type { Handler } from '../core/server.js';
import type { Simulator } from '../index.js';
import { rollout } from './events.js';
import {
  arns,
  type Cluster,
  type Deployment,
  type DeploymentConfiguration,
  type LoadBalancer,
  mergeTags,
  nameOf,
  newDeploymentId,
  type Service,
  type Tag,
  type TaskDefinition,
  type TaskOverrides,
  toTags,
} from './model.js';
import { checkAdvancedConfiguration, normaliseNativeConfiguration, strategyOf } from './native-config.js';
import type { NativeDeployments } from './native-deployment.js';
import {
  type ControllerType,
  checkCircuitBreakerController,
  checkListTasksFilters,
  checkTagCount,
  checkTaggableService,
  checkTags,
  checkTaskDefinitionSize,
  checkUntagKeys,
  checkUpdateForController,
  SHORT_ARN_TAGGING,
} from './rules.js';
import { failureThreshold, type Scheduler } from './scheduler.js';
import {
  openServiceDeployment,
  revisionArn,
  type ServiceDeploymentStatus,
  serviceDeploymentBrief,
  serviceDeploymentView,
  serviceRevisionView,
} from './service-deployments.js';
import type { EcsState } from './state.js';
import { serviceView, taskDefinitionView, taskView } from './views.js';

const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

interface Ctx {
  sim: Simulator;
  state: EcsState;
  scheduler: Scheduler;
  native: NativeDeployments;
}

const invalid = (message: string) => new AwsError('InvalidParameterException', message);
/** Account settings the simulator knows; the long ARN formats are the ones tagging depends on. */
const ACCOUNT_SETTINGS = new Set([
  'serviceLongArnFormat',
  'taskLongArnFormat',
  'containerInstanceLongArnFormat',
]);
const accountRoot = () => `arn:aws:iam::${ACCOUNT}:root`;

/** Paginate a list the way ECS does: an opaque token that is the next index. */
function page<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined, limit = 100) {
  const start = nextToken ? Number(Buffer.from(nextToken, 'base64').toString('utf8')) || 0 : 0;
  const size = Math.min(maxResults ?? limit, limit);
  const slice = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
  return { slice, nextToken: next };
}

function defaultDeploymentConfiguration(input?: Partial<DeploymentConfiguration>): DeploymentConfiguration {
  return {
    ...input,
    minimumHealthyPercent: input?.minimumHealthyPercent ?? 100,
    maximumPercent: input?.maximumPercent ?? 200,
    deploymentCircuitBreaker: {
      enable: input?.deploymentCircuitBreaker?.enable ?? false,
      rollback: input?.deploymentCircuitBreaker?.rollback ?? false,
    },
  };
}

/**
 * A service-managed volume must name a volume of the task definition that is `configuredAtLaunch`,
 * and its managed EBS configuration needs the infrastructure role (UpdateService reference:
 * volumeConfigurations; ServiceManagedEBSVolumeConfiguration: roleArn required).
 */
function checkVolumeConfigurations(raw: unknown, td: TaskDefinition): void {
  if (raw === undefined) return;
  const volumes = (
    (td.input.volumes as { name?: string; configuredAtLaunch?: boolean }[] | undefined) ?? []
  ).filter((v) => v.configuredAtLaunch === true);
  for (const c of raw as { name?: string; managedEBSVolume?: { roleArn?: string } }[]) {
    if (!volumes.some((v) => v.name === c.name))
      throw invalid(
        `The volume ${c.name ?? ''} in volumeConfigurations is not a volume configured at launch in the task definition.`,
      );
    if (!c.managedEBSVolume?.roleArn) throw invalid('managedEBSVolume.roleArn is required.');
  }
}

export function ecsHandlers(ctx: Ctx): Record<string, Handler> {
  const { sim, state } = ctx;
  const now = () => sim.clock.now();

  // ---------- clusters ----------

  const clusterView = (c: Cluster, includeTags: boolean) => {
    const services = [...state.services.values()].filter((s) => s.cluster === c && s.status === 'ACTIVE');
    const tasks = [...state.tasks.values()].filter((t) => t.cluster === c);
    return {
      clusterArn: c.arn,
      clusterName: c.name,
      status: c.status,
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'RUNNING')
        .length,
      activeServicesCount: services.length,
      settings: c.settings,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [],
      tags: includeTags ? c.tags : undefined,
    };
  };

  const createCluster = (p: { clusterName?: string; tags?: Tag[]; settings?: unknown[] }) => {
    const name = p.clusterName ?? 'default';
    const existing = state.clusters.get(name);
    if (existing && existing.status === 'ACTIVE') return { cluster: clusterView(existing, false) };
    const cluster: Cluster = {
      name,
      arn: arns.cluster(name),
      status: 'ACTIVE',
      tags: toTags(p.tags),
      settings: p.settings ?? [],
    };
    state.clusters.set(name, cluster);
    return { cluster: clusterView(cluster, false) };
  };

  const describeClusters = (p: { clusters?: string[]; include?: string[] }) => {
    const clusters: unknown[] = [];
    const failures: unknown[] = [];
    for (const ref of p.clusters ?? ['default']) {
      const c = state.clusters.get(nameOf(ref));
      if (c) clusters.push(clusterView(c, p.include?.includes('TAGS') ?? false));
      else failures.push({ arn: ref.startsWith('arn:') ? ref : arns.cluster(ref), reason: 'MISSING' });
    }
    return { clusters, failures };
  };

  const deleteCluster = (p: { cluster: string }) => {
    const cluster = state.cluster(p.cluster);
    if ([...state.services.values()].some((s) => s.cluster === cluster && s.status !== 'INACTIVE')) {
      throw new AwsError(
        'ClusterContainsServicesException',
        'The Cluster cannot be deleted while Services are active.',
      );
    }
    if ([...state.tasks.values()].some((t) => t.cluster === cluster && t.lastStatus !== 'STOPPED')) {
      throw new AwsError(
        'ClusterContainsTasksException',
        'The Cluster cannot be deleted while Tasks are active.',
      );
    }
    cluster.status = 'INACTIVE';
    return { cluster: clusterView(cluster, false) };
  };

  // ---------- task definitions ----------

  const READ_ONLY_TD = [
    'taskDefinitionArn',
    'revision',
    'status',
    'requiresAttributes',
    'compatibilities',
    'registeredAt',
    'registeredBy',
    'deregisteredAt',
  ];

  const registerTaskDefinition = (p: Record<string, unknown>) => {
    const family = p.family;
    if (typeof family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
      throw new AwsError('ClientException', 'Family contains invalid characters.');
    }
    for (const key of READ_ONLY_TD) {
      if (key in p) {
        // The SDK's serializer drops unknown members, so this is only reached by raw callers.
        throw new AwsError('ClientException', `Unexpected key '${key}' found in params.`);
      }
    }
    const defs = p.containerDefinitions;
    if (!Array.isArray(defs) || defs.length === 0) {
      throw new AwsError('ClientException', 'Container list cannot be empty.');
    }
    for (const d of defs as Record<string, unknown>[]) {
      if (!d.name) throw new AwsError('ClientException', 'Container.name should not be null or empty.');
      if (!d.image) throw new AwsError('ClientException', 'Container.image should not be null or empty.');
    }
    const tags = toTags(p.tags as Tag[] | undefined);
    checkTags(tags);
    checkTagCount(tags);
    checkTaskDefinitionSize(p);
    const { tags: _omit, ...input } = p;
    const revisions = state.families.get(family) ?? [];
    const revision = (revisions.at(-1)?.revision ?? 0) + 1;
    const td: TaskDefinition = {
      arn: arns.taskDefinition(family, revision),
      family,
      revision,
      status: 'ACTIVE',
      input,
      registeredAt: new Date(now()),
      tags,
    };
    revisions.push(td);
    state.families.set(family, revisions);
    state.taskDefinitions.set(td.arn, td);
    return { taskDefinition: taskDefinitionView(td), tags: tags.length ? tags : undefined };
  };

  const taskDefinitionOrThrow = (
    ref: string | undefined,
    message = 'Unable to describe task definition.',
  ) => {
    const td = ref ? state.findTaskDefinition(ref) : undefined;
    if (!td) throw new AwsError('ClientException', message);
    return td;
  };

  const describeTaskDefinition = (p: { taskDefinition: string; include?: string[] }) => {
    const td = taskDefinitionOrThrow(p.taskDefinition);
    return {
      taskDefinition: taskDefinitionView(td),
      tags: p.include?.includes('TAGS') ? td.tags : undefined,
    };
  };

  const listTaskDefinitions = (p: {
    familyPrefix?: string;
    status?: string;
    sort?: string;
    maxResults?: number;
    nextToken?: string;
  }) => {
    const status = p.status ?? 'ACTIVE';
    let all = [...state.taskDefinitions.values()].filter(
      (t) => (!p.familyPrefix || t.family.startsWith(p.familyPrefix)) && t.status === status,
    );
    all.sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
    if (p.sort === 'DESC') all = all.reverse();
    const { slice, nextToken } = page(all, p.maxResults, p.nextToken);
    return { taskDefinitionArns: slice.map((t) => t.arn), nextToken };
  };

  const listTaskDefinitionFamilies = (p: {
    familyPrefix?: string;
    status?: string;
    maxResults?: number;
    nextToken?: string;
  }) => {
    const status = p.status ?? 'ACTIVE';
    const families = [...state.families.entries()]
      .filter(([family]) => !p.familyPrefix || family.startsWith(p.familyPrefix))
      .filter(([, revs]) => {
        const active = revs.some((r) => r.status === 'ACTIVE');
        return status === 'ALL' || (status === 'ACTIVE' ? active : !active);
      })
      .map(([family]) => family)
      .sort();
    const { slice, nextToken } = page(families, p.maxResults, p.nextToken);
    return { families: slice, nextToken };
  };

  const deregisterTaskDefinition = (p: { taskDefinition: string }) => {
    if (!p.taskDefinition?.includes(':')) {
      throw invalid('Revision should be specified in the task definition (family:revision or ARN).');
    }
    const td = taskDefinitionOrThrow(p.taskDefinition, 'The specified task definition does not exist.');
    td.status = 'INACTIVE';
    td.deregisteredAt = new Date(now());
    return { taskDefinition: taskDefinitionView(td) };
  };

  // ---------- services ----------

  const checkLoadBalancers = (lbs: LoadBalancer[], td: TaskDefinition, config: DeploymentConfiguration) => {
    const defs = (td.input.containerDefinitions as { name?: string }[] | undefined) ?? [];
    const strategy = strategyOf(config);
    if ((strategy === 'LINEAR' || strategy === 'CANARY') && lbs.length === 0) {
      throw invalid(`The ${strategy} deployment strategy shifts traffic and needs a load balancer.`);
    }
    for (const lb of lbs) {
      if (!lb.targetGroupArn) throw invalid('targetGroupArn is required for an Application Load Balancer.');
      // ECS words a missing target group as a permissions problem (observed).
      if (!sim.elb.targetGroupExists(lb.targetGroupArn)) {
        throw invalid(
          `Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.`,
        );
      }
      if (!sim.elb.targetGroupHasLoadBalancer(lb.targetGroupArn)) {
        throw invalid(
          `The target group with targetGroupArn ${lb.targetGroupArn} does not have an associated load balancer.`,
        );
      }
      if (!defs.some((d) => d.name === lb.containerName)) {
        throw invalid(`The container ${lb.containerName} does not exist in the task definition.`);
      }
      checkAdvancedConfiguration(sim, lb, strategy, (role) => !ctx.native.unassumableRoles.has(role));
    }
  };

  const controllerOf = (p: Record<string, unknown>, service?: Service) =>
    ((p.deploymentController ?? service?.extra.deploymentController) as { type?: string } | undefined)
      ?.type ?? 'ECS';

  const newDeployment = (service: Service, td: TaskDefinition): Deployment => {
    const id = newDeploymentId();
    const at = new Date(now());
    const deployment: Deployment = {
      id,
      status: 'PRIMARY',
      taskDefinitionArn: td.arn,
      desiredCount: service.desiredCount,
      failedTasks: 0,
      createdAt: at,
      updatedAt: at,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: rollout.inProgress(id),
      loadBalancers: service.loadBalancers,
      networkConfiguration: service.extra.networkConfiguration,
      launchType: (service.extra.launchType as string | undefined) ?? 'FARGATE',
      // ECS resolves each image to a digest when the deployment starts, so every task of the
      // revision runs the same image even if its tag moves later.
      containerImages: (
        (td.input.containerDefinitions as { name?: string; image?: string }[] | undefined) ?? []
      ).map((c) => ({
        containerName: c.name ?? '',
        image: c.image ?? '',
        imageDigest: sim.ecs.images.digestOf(c.image ?? ''),
      })),
      extra: { ...service.extra },
    };
    for (const d of service.deployments) d.status = 'ACTIVE';
    service.deployments = [deployment, ...service.deployments];
    service.history.push(deployment);
    const record = openServiceDeployment(service, deployment, now());
    ctx.native.begin(service, deployment, record, now());
    return deployment;
  };

  const EXTRA_SERVICE_KEYS = [
    'launchType',
    'capacityProviderStrategy',
    'platformVersion',
    'networkConfiguration',
    'placementConstraints',
    'placementStrategy',
    'serviceRegistries',
    'deploymentController',
    'enableECSManagedTags',
    'propagateTags',
    'enableExecuteCommand',
    'serviceConnectConfiguration',
    'volumeConfigurations',
    'availabilityZoneRebalancing',
    'role',
  ];

  const pickExtra = (p: Record<string, unknown>) =>
    Object.fromEntries(EXTRA_SERVICE_KEYS.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));

  const createService = (p: Record<string, unknown>) => {
    const cluster = state.cluster(p.cluster as string | undefined);
    const name = p.serviceName;
    if (typeof name !== 'string' || !SERVICE_NAME.test(name)) {
      throw invalid(
        'Service name can have up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.',
      );
    }
    const existing = state.findService(cluster, name);
    if (existing && existing.status !== 'INACTIVE') throw invalid('Creation of service was not idempotent.');
    const td = taskDefinitionOrThrow(p.taskDefinition as string | undefined, 'TaskDefinition not found.');
    if (td.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
    const lbs = ((p.loadBalancers as LoadBalancer[] | undefined) ?? []).map((lb) => ({ ...lb }));
    const deploymentConfiguration = normaliseNativeConfiguration(
      defaultDeploymentConfiguration(
        p.deploymentConfiguration as Partial<DeploymentConfiguration> | undefined,
      ),
      controllerOf(p),
    );
    checkLoadBalancers(lbs, td, deploymentConfiguration);
    const desiredCount = Number(p.desiredCount ?? 0);
    if (!Number.isInteger(desiredCount) || desiredCount < 0)
      throw invalid('desiredCount must be a non-negative integer.');
    const tags = toTags(p.tags as Tag[] | undefined);
    checkTags(tags);
    checkTagCount(tags);
    const controller =
      ((p.deploymentController as { type?: ControllerType } | undefined)?.type as ControllerType) ?? 'ECS';
    checkCircuitBreakerController(controller, p.deploymentConfiguration);
    // A service created while the account opts out of the long ARN format keeps the short ARN.
    const shortArn = state.accountSettings.get('serviceLongArnFormat') === 'disabled';
    if (shortArn && tags.length) throw invalid(SHORT_ARN_TAGGING);
    const service: Service = {
      name,
      arn: shortArn ? arns.shortService(name) : arns.service(cluster.name, name),
      shortArn,
      cluster,
      status: 'ACTIVE',
      desiredCount,
      taskDefinitionArn: td.arn,
      deploymentConfiguration,
      loadBalancers: lbs,
      healthCheckGracePeriodSeconds: Number(p.healthCheckGracePeriodSeconds ?? 0),
      deployments: [],
      history: [],
      serviceDeployments: [],
      events: [],
      createdAt: new Date(now()),
      tags,
      extra: pickExtra(p),
    };
    // A previous INACTIVE service of that name is gone for good; its stopped tasks stay listed.
    state.services.set(arns.service(cluster.name, name), service);
    newDeployment(service, td);
    ctx.native.onCreate(service);
    return { service: serviceView(service, state.tasksOf(service), false) };
  };

  const updateService = (p: Record<string, unknown>) => {
    const cluster = state.cluster(p.cluster as string | undefined);
    const service = state.activeService(cluster, String(p.service ?? ''));
    checkUpdateForController(service, p);
    let redeploy = p.forceNewDeployment === true;
    let td = state.taskDefinitions.get(service.taskDefinitionArn)!;
    if (p.taskDefinition !== undefined) {
      td = taskDefinitionOrThrow(p.taskDefinition as string, 'TaskDefinition not found.');
      if (td.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
      if (td.arn !== service.taskDefinitionArn) redeploy = true;
    }
    checkVolumeConfigurations(p.volumeConfigurations, td);
    // Validate the configuration and load balancers the service will have before changing anything.
    let nextConfig = service.deploymentConfiguration;
    if (p.deploymentConfiguration !== undefined) {
      const given = p.deploymentConfiguration as Partial<DeploymentConfiguration>;
      const kept = { ...service.deploymentConfiguration };
      // Choosing a strategy drops the other strategies' settings (they would be invalid with it).
      if (given.strategy !== undefined) {
        delete kept.canaryConfiguration;
        delete kept.linearConfiguration;
      }
      nextConfig = normaliseNativeConfiguration(
        defaultDeploymentConfiguration({
          ...kept,
          ...given,
          deploymentCircuitBreaker: given.deploymentCircuitBreaker ?? kept.deploymentCircuitBreaker,
        }),
        controllerOf(p, service),
      );
    }
    const nextLbs =
      p.loadBalancers === undefined
        ? service.loadBalancers
        : (p.loadBalancers as LoadBalancer[]).map((lb) => ({ ...lb }));
    if (p.loadBalancers !== undefined || p.deploymentConfiguration !== undefined) {
      checkLoadBalancers(nextLbs, td, nextConfig);
    }
    if (
      ctx.native.active(service) &&
      (redeploy || p.loadBalancers !== undefined || p.deploymentConfiguration !== undefined)
    ) {
      throw invalid(
        'A blue/green service deployment is in progress. Stop it (StopServiceDeployment) or let it finish before updating the service.',
      );
    }
    if (p.loadBalancers !== undefined) {
      if (JSON.stringify(nextLbs) !== JSON.stringify(service.loadBalancers)) redeploy = true;
      service.loadBalancers = nextLbs;
    }
    if (p.desiredCount !== undefined) {
      const desired = Number(p.desiredCount);
      if (!Number.isInteger(desired) || desired < 0)
        throw invalid('desiredCount must be a non-negative integer.');
      service.desiredCount = desired;
    }
    service.deploymentConfiguration = nextConfig;
    if (p.healthCheckGracePeriodSeconds !== undefined) {
      service.healthCheckGracePeriodSeconds = Number(p.healthCheckGracePeriodSeconds);
    }
    const extra = pickExtra(p);
    // Per-deployment configuration (network, capacity, service connect, volumes) takes a new deployment.
    if (
      extra.networkConfiguration !== undefined ||
      extra.capacityProviderStrategy !== undefined ||
      extra.serviceConnectConfiguration !== undefined ||
      extra.volumeConfigurations !== undefined
    )
      redeploy = true;
    Object.assign(service.extra, extra);
    // Whatever changed, the service is not known to be steady until the scheduler says so again.
    service.steadySince = undefined;
    if (redeploy) {
      service.taskDefinitionArn = td.arn;
      newDeployment(service, td);
    } else if (service.deployments[0]) {
      service.deployments[0].desiredCount = service.desiredCount;
      service.deployments[0].updatedAt = new Date(now());
    }
    return { service: serviceView(service, state.tasksOf(service), false) };
  };

  const deleteService = (p: { cluster?: string; service: string; force?: boolean }) => {
    const cluster = state.cluster(p.cluster);
    const service = state.service(cluster, p.service);
    if (service.status !== 'ACTIVE')
      throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
    if (service.desiredCount > 0 && !p.force) {
      throw invalid('The service cannot be stopped while it is scaled above 0.');
    }
    service.desiredCount = 0;
    service.status = 'DRAINING';
    service.steadySince = undefined;
    return { service: serviceView(service, state.tasksOf(service), false) };
  };

  const describeServices = (p: { cluster?: string; services?: string[]; include?: string[] }) => {
    const cluster = state.cluster(p.cluster);
    const names = p.services ?? [];
    if (names.length === 0) throw invalid('Services cannot be empty.');
    if (names.length > 10) throw invalid('service names can have at most 10 items.');
    const services: unknown[] = [];
    const failures: unknown[] = [];
    for (const ref of names) {
      const s = state.findService(cluster, ref);
      if (s) services.push(serviceView(s, state.tasksOf(s), p.include?.includes('TAGS') ?? false));
      else
        failures.push({
          arn: ref.startsWith('arn:') ? ref : arns.service(cluster.name, ref),
          reason: 'MISSING',
        });
    }
    return { services, failures };
  };

  const listServices = (p: {
    cluster?: string;
    maxResults?: number;
    nextToken?: string;
    launchType?: string;
  }) => {
    const cluster = state.cluster(p.cluster);
    const all = [...state.services.values()]
      .filter((s) => s.cluster === cluster && s.status !== 'INACTIVE')
      .filter((s) => !p.launchType || (s.extra.launchType ?? 'FARGATE') === p.launchType)
      .map((s) => s.arn);
    // ECS returns 10 services per page unless asked for more: callers must follow nextToken.
    const { slice, nextToken } = page(all, p.maxResults ?? 10, p.nextToken, 100);
    return { serviceArns: slice, nextToken };
  };

  // ---------- tasks ----------

  const listTasks = (p: {
    cluster?: string;
    serviceName?: string;
    desiredStatus?: string;
    startedBy?: string;
    family?: string;
    maxResults?: number;
    nextToken?: string;
  }) => {
    checkListTasksFilters(p);
    const cluster = state.cluster(p.cluster);
    const service = p.serviceName ? state.service(cluster, p.serviceName) : undefined;
    const desired = p.desiredStatus ?? 'RUNNING';
    const all = [...state.tasks.values()]
      .filter((t) => t.cluster === cluster && t.desiredStatus === desired)
      .filter((t) => !service || t.service === service)
      .filter((t) => !p.startedBy || t.startedBy === p.startedBy)
      .filter((t) => !p.family || state.taskDefinitions.get(t.taskDefinitionArn)?.family === p.family)
      .map((t) => t.arn);
    const { slice, nextToken } = page(all, p.maxResults, p.nextToken, 100);
    return { taskArns: slice, nextToken };
  };

  const describeTasks = (p: { cluster?: string; tasks?: string[]; include?: string[] }) => {
    const cluster = state.cluster(p.cluster);
    const refs = p.tasks ?? [];
    if (refs.length === 0) throw invalid('Tasks cannot be empty.');
    if (refs.length > 100) throw invalid('tasks can have at most 100 items.');
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    for (const ref of refs) {
      const t = state.tasks.get(arns.task(cluster.name, nameOf(ref)));
      if (t) tasks.push(taskView(t, p.include?.includes('TAGS') ?? false));
      else
        failures.push({
          arn: ref.startsWith('arn:') ? ref : arns.task(cluster.name, ref),
          reason: 'MISSING',
        });
    }
    return { tasks, failures };
  };

  const STARTED_BY = /^[A-Za-z0-9_/-]{1,128}$/;
  const LAUNCH_TYPES = ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'];

  const runTask = (p: {
    cluster?: string;
    taskDefinition: string;
    count?: number;
    startedBy?: string;
    group?: string;
    launchType?: string;
    capacityProviderStrategy?: { capacityProvider?: string; weight?: number; base?: number }[];
    networkConfiguration?: { awsvpcConfiguration?: { subnets?: string[]; securityGroups?: string[] } };
    overrides?: TaskOverrides;
    tags?: Tag[];
  }) => {
    const cluster = state.cluster(p.cluster);
    const td = taskDefinitionOrThrow(p.taskDefinition, 'TaskDefinition not found.');
    if (td.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
    const count = p.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 10) throw invalid('count must be between 1 and 10.');
    if (p.startedBy !== undefined && !STARTED_BY.test(p.startedBy))
      throw invalid(
        'startedBy can have up to 128 letters (uppercase and lowercase), numbers, hyphens, forward slashes, and underscores.',
      );
    const strategy = p.capacityProviderStrategy ?? [];
    if (p.launchType !== undefined && strategy.length > 0)
      throw invalid(
        'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
      );
    if (p.launchType !== undefined && !LAUNCH_TYPES.includes(p.launchType))
      throw invalid(`launchType must be one of ${LAUNCH_TYPES.join(', ')}.`);
    const associated = clusterView(cluster, false).capacityProviders;
    for (const item of strategy) {
      if (!item.capacityProvider || !associated.includes(item.capacityProvider))
        throw invalid(
          'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
        );
    }
    // Neither given: the cluster's default strategy, and with none (as here) the EC2 launch type.
    const capacityProviderName = strategy[0]?.capacityProvider;
    const launchType = capacityProviderName ? 'FARGATE' : (p.launchType ?? 'EC2');
    if (launchType !== 'FARGATE')
      // The simulator has no container instances: EC2 placement fails as on an empty cluster.
      throw invalid('No Container Instances were found in your cluster.');
    const input = td.input as {
      networkMode?: string;
      requiresCompatibilities?: string[];
      containerDefinitions?: { name?: string }[];
    };
    if (!(input.requiresCompatibilities ?? []).includes('FARGATE'))
      throw invalid(`Task definition does not support launch_type FARGATE.`);
    if (input.networkMode === 'awsvpc') {
      const vpc = p.networkConfiguration?.awsvpcConfiguration;
      if (!vpc)
        throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
      if (!vpc.subnets?.length) throw invalid('subnets can not be empty.');
    }
    const names = new Set((input.containerDefinitions ?? []).map((c) => c.name));
    for (const o of p.overrides?.containerOverrides ?? []) {
      if (!o.name || !names.has(o.name))
        throw invalid(
          `Override for container named ${o.name ?? ''} is not a container in the TaskDefinition.`,
        );
    }
    if (JSON.stringify(p.overrides ?? {}).length > 8192)
      throw invalid('Container Overrides length must be at most 8192');
    const tasks = Array.from({ length: count }, () =>
      ctx.scheduler.createTask(
        {
          cluster,
          startedBy: p.startedBy,
          group: p.group ?? `family:${td.family}`,
          taskDefinitionArn: td.arn,
          loadBalancers: [],
          launchType,
          capacityProviderName,
          overrides: p.overrides,
          tags: toTags(p.tags),
        },
        now(),
      ),
    );
    return { tasks: tasks.map((t) => taskView(t, false)), failures: [] };
  };

  const stopTask = (p: { cluster?: string; task: string; reason?: string }) => {
    const cluster = state.cluster(p.cluster);
    const task = state.tasks.get(arns.task(cluster.name, nameOf(p.task)));
    if (!task) throw invalid('The referenced task was not found.');
    ctx.scheduler.stopTask(task, now(), {
      reason: p.reason ?? 'Task stopped by user',
      code: 'UserInitiated',
      failure: false,
      drain: true,
    });
    return { task: taskView(task, false) };
  };

  // ---------- service deployments ----------

  const allServiceDeployments = () => [...state.services.values()].flatMap((s) => s.serviceDeployments);

  const listServiceDeployments = (p: {
    cluster?: string;
    service: string;
    status?: ServiceDeploymentStatus[];
    createdAt?: { before?: number; after?: number };
    maxResults?: number;
    nextToken?: string;
  }) => {
    const cluster = state.cluster(p.cluster);
    const service = state.service(cluster, p.service);
    // The JSON protocol sends timestamps as epoch seconds.
    const before = p.createdAt?.before === undefined ? undefined : p.createdAt.before * 1000;
    const after = p.createdAt?.after === undefined ? undefined : p.createdAt.after * 1000;
    const all = service.serviceDeployments
      .filter((r) => !p.status?.length || p.status.includes(r.status))
      .filter((r) => before === undefined || r.createdAt.getTime() < before)
      .filter((r) => after === undefined || r.createdAt.getTime() > after);
    if (p.maxResults !== undefined && (p.maxResults < 1 || p.maxResults > 100)) {
      throw invalid('maxResults must be between 1 and 100.');
    }
    // Without maxResults the API answers at most 20 and a nextToken.
    const { slice, nextToken } = page(all, p.maxResults ?? 20, p.nextToken, 100);
    return { serviceDeployments: slice.map(serviceDeploymentBrief), nextToken };
  };

  const describeServiceRevisions = (p: { serviceRevisionArns?: string[] }) => {
    const arns = p.serviceRevisionArns ?? [];
    if (arns.length === 0) throw invalid('serviceRevisionArns cannot be empty.');
    if (arns.length > 20) throw invalid('serviceRevisionArns can have at most 20 items.');
    const serviceRevisions: unknown[] = [];
    const failures: unknown[] = [];
    for (const arn of arns) {
      let found: unknown;
      for (const service of state.services.values()) {
        const d = service.history.find((x) => revisionArn(service, x) === arn);
        if (d) found = serviceRevisionView(service, d);
      }
      if (found) serviceRevisions.push(found);
      else failures.push({ arn, reason: 'MISSING' });
    }
    return { serviceRevisions, failures };
  };

  const describeServiceDeployments = (p: { serviceDeploymentArns?: string[] }) => {
    const arns = p.serviceDeploymentArns ?? [];
    if (arns.length === 0) throw invalid('serviceDeploymentArns cannot be empty.');
    if (arns.length > 20) throw invalid('serviceDeploymentArns can have at most 20 items.');
    const known = allServiceDeployments();
    const serviceDeployments: unknown[] = [];
    const failures: unknown[] = [];
    for (const arn of arns) {
      const r = known.find((x) => x.arn === arn);
      if (r) {
        serviceDeployments.push(
          ctx.native.decorate(
            r,
            serviceDeploymentView(r, state.tasksOf(r.service), failureThreshold(r.target.desiredCount)),
          ),
        );
      } else failures.push({ arn, reason: 'MISSING' });
    }
    return { serviceDeployments, failures };
  };

  const stopServiceDeployment = (p: { serviceDeploymentArn: string; stopType?: 'ROLLBACK' | 'ABORT' }) => {
    const r = allServiceDeployments().find((x) => x.arn === p.serviceDeploymentArn);
    if (!r)
      throw new AwsError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
    if (r.status !== 'IN_PROGRESS' || r.service.deployments[0] !== r.target) {
      throw new AwsError('ConflictException', 'The service deployment is not in progress.');
    }
    const run = ctx.native.runOf(r);
    if (run?.finished && run.stage === 'CLEAN_UP') {
      // Choice: past the bake, blue is being scaled down; there is nothing left to return to.
      throw new AwsError('ConflictException', 'The service deployment is cleaning up and cannot be stopped.');
    }
    const stopType = p.stopType ?? 'ROLLBACK';
    if (stopType === 'ROLLBACK' && !ctx.scheduler.rollbackTarget(r.service, r.target)) {
      throw invalid('There is no successful service revision to roll back to.');
    }
    ctx.scheduler.stopDeployment(r.service, r.target, now(), stopType);
    return { serviceDeploymentArn: r.arn };
  };

  const continueServiceDeployment = (p: {
    serviceDeploymentArn?: string;
    hookId?: string;
    action?: string;
  }) => {
    const r = allServiceDeployments().find((x) => x.arn === p.serviceDeploymentArn);
    if (!r)
      throw new AwsError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
    const action = p.action ?? 'CONTINUE';
    if (action !== 'CONTINUE' && action !== 'ROLLBACK') throw invalid(`Invalid action '${action}'.`);
    if (!p.hookId) throw invalid('hookId must be specified.');
    const run = ctx.native.runOf(r);
    if (!run || run.finished || r.status !== 'IN_PROGRESS') {
      throw invalid('The service deployment is not IN_PROGRESS.');
    }
    const hook = run.hooks.find((h) => h.hookId === p.hookId);
    if (hook?.hook.targetType !== 'PAUSE' || hook.status !== 'AWAITING_ACTION') {
      throw invalid(`The lifecycle hook ${p.hookId} is not a PAUSE hook in AWAITING_ACTION status.`);
    }
    ctx.native.continueHook(run, p.hookId, action, now());
    return { serviceDeploymentArn: r.arn };
  };

  // ---------- tags ----------

  type Tagged = { tags: Tag[] };
  const taggable = (arn: string): Tagged => {
    const service = state.services.get(arn) ?? [...state.services.values()].find((s) => s.arn === arn);
    if (service) checkTaggableService(service);
    const found: Tagged | undefined =
      service ??
      state.taskDefinitions.get(arn) ??
      state.tasks.get(arn) ??
      [...state.clusters.values()].find((c) => c.arn === arn);
    if (!found) throw invalid('The specified resource could not be found.');
    return found;
  };

  return {
    CreateCluster: createCluster,
    DescribeClusters: describeClusters,
    DeleteCluster: deleteCluster,
    RegisterTaskDefinition: registerTaskDefinition,
    DescribeTaskDefinition: describeTaskDefinition,
    ListTaskDefinitions: listTaskDefinitions,
    ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
    DeregisterTaskDefinition: deregisterTaskDefinition,
    CreateService: createService,
    UpdateService: updateService,
    DeleteService: deleteService,
    DescribeServices: describeServices,
    ListServices: listServices,
    ListTasks: listTasks,
    DescribeTasks: describeTasks,
    RunTask: runTask,
    StopTask: stopTask,
    ListServiceDeployments: listServiceDeployments,
    DescribeServiceDeployments: describeServiceDeployments,
    DescribeServiceRevisions: describeServiceRevisions,
    StopServiceDeployment: stopServiceDeployment,
    ContinueServiceDeployment: continueServiceDeployment,
    TagResource: (p: { resourceArn: string; tags: Tag[] }) => {
      const r = taggable(p.resourceArn);
      const added = toTags(p.tags);
      checkTags(added);
      const merged = mergeTags(r.tags, added);
      checkTagCount(merged);
      r.tags = merged;
      return {};
    },
    UntagResource: (p: { resourceArn: string; tagKeys: string[] }) => {
      const r = taggable(p.resourceArn);
      checkUntagKeys(p.tagKeys ?? []);
      r.tags = r.tags.filter((t) => !p.tagKeys.includes(t.key));
      return {};
    },
    ListTagsForResource: (p: { resourceArn: string }) => {
      const service = [...state.services.values()].find((s) => s.arn === p.resourceArn);
      // Listing works for any ARN ECS has; only writes need the long format.
      return { tags: (service ?? taggable(p.resourceArn)).tags };
    },
    PutAccountSetting: (p: { name: string; value: string; principalArn?: string }) => {
      if (!ACCOUNT_SETTINGS.has(p.name)) throw invalid(`Unsupported account setting name: ${p.name}.`);
      if (!['enabled', 'disabled'].includes(p.value)) throw invalid('value must be enabled or disabled.');
      state.accountSettings.set(p.name, p.value);
      return { setting: { name: p.name, value: p.value, principalArn: accountRoot(), type: 'user' } };
    },
    ListAccountSettings: (p: { name?: string }) => ({
      settings: [...ACCOUNT_SETTINGS]
        .filter((n) => !p.name || p.name === n)
        .map((name) => ({
          name,
          value: state.accountSettings.get(name) ?? 'enabled',
          principalArn: accountRoot(),
          type: state.accountSettings.has(name) ? 'user' : 'aws_managed',
        })),
    }),
  };
}
