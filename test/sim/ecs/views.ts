/** How ECS resources look on the wire (DescribeServices, DescribeTasks, DescribeTaskDefinition). */
import { ACCOUNT } from '../contracts.js';
import type { Deployment, Service, Task, TaskDefinition } from './model.js';
import { withEcsDefaults } from './taskdef-defaults.js';

/**
 * Fields of the `Service` shape that come from what the caller passed. `serviceConnectConfiguration`
 * and `volumeConfigurations` are not among them: the API returns those per deployment only.
 */
const SERVICE_LEVEL_EXTRA = [
  'capacityProviderStrategy',
  'platformVersion',
  'networkConfiguration',
  'availabilityZoneRebalancing',
] as const;
/** Per-deployment configuration (the `Deployment` shape). */
const DEPLOYMENT_LEVEL_EXTRA = [
  'capacityProviderStrategy',
  'platformVersion',
  'serviceConnectConfiguration',
  'volumeConfigurations',
] as const;

const pick = (from: Record<string, unknown>, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));

export function deploymentView(d: Deployment, tasks: Task[]) {
  const mine = tasks.filter((t) => t.deploymentId === d.id && t.desiredStatus === 'RUNNING');
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinitionArn,
    desiredCount: d.desiredCount,
    pendingCount: mine.filter((t) => t.lastStatus !== 'RUNNING').length,
    runningCount: mine.filter((t) => t.lastStatus === 'RUNNING').length,
    failedTasks: d.failedTasks,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    launchType: d.launchType,
    networkConfiguration: d.networkConfiguration,
    ...pick(d.extra ?? {}, DEPLOYMENT_LEVEL_EXTRA),
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
  };
}

export function serviceView(s: Service, tasks: Task[], includeTags: boolean) {
  const running = tasks.filter((t) => t.lastStatus === 'RUNNING').length;
  const pending = tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'RUNNING').length;
  return {
    ...pick(s.extra, SERVICE_LEVEL_EXTRA),
    serviceArn: s.arn,
    serviceName: s.name,
    clusterArn: s.cluster.arn,
    loadBalancers: s.loadBalancers,
    serviceRegistries: s.extra.serviceRegistries ?? [],
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: running,
    pendingCount: pending,
    launchType: s.extra.launchType ?? (s.extra.capacityProviderStrategy ? undefined : 'FARGATE'),
    taskDefinition: s.taskDefinitionArn,
    deploymentConfiguration: s.deploymentConfiguration,
    deployments: s.deployments.map((d) => deploymentView(d, tasks)),
    events: s.events,
    createdAt: s.createdAt,
    createdBy: `arn:aws:iam::${ACCOUNT}:role/simulator`,
    placementConstraints: s.extra.placementConstraints ?? [],
    placementStrategy: s.extra.placementStrategy ?? [],
    healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
    schedulingStrategy: 'REPLICA',
    roleArn: s.extra.role,
    deploymentController: s.extra.deploymentController ?? { type: 'ECS' },
    enableECSManagedTags: s.extra.enableECSManagedTags ?? false,
    propagateTags: s.extra.propagateTags ?? 'NONE',
    enableExecuteCommand: s.extra.enableExecuteCommand ?? false,
    tags: includeTags ? s.tags : undefined,
  };
}

export function taskDefinitionView(td: TaskDefinition) {
  // Not an echo of the input: what ECS returns carries the defaults it filled in.
  const input = withEcsDefaults(td.input);
  const requires = (input.requiresCompatibilities as string[] | undefined) ?? [];
  return {
    ...input,
    taskDefinitionArn: td.arn,
    family: td.family,
    revision: td.revision,
    status: td.status,
    containerDefinitions: input.containerDefinitions ?? [],
    volumes: input.volumes ?? [],
    placementConstraints: input.placementConstraints ?? [],
    networkMode: input.networkMode,
    requiresAttributes: [
      { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' },
      ...(input.networkMode === 'awsvpc' ? [{ name: 'ecs.capability.task-eni' }] : []),
    ],
    compatibilities: requires.includes('FARGATE') ? ['EC2', 'FARGATE'] : ['EC2'],
    requiresCompatibilities: input.requiresCompatibilities,
    registeredAt: td.registeredAt,
    registeredBy: `arn:aws:iam::${ACCOUNT}:role/simulator`,
    deregisteredAt: td.deregisteredAt,
  };
}

export function taskView(t: Task, includeTags: boolean) {
  const awsvpc = t.networkMode === 'awsvpc';
  return {
    taskArn: t.arn,
    clusterArn: t.cluster.arn,
    taskDefinitionArn: t.taskDefinitionArn,
    group: t.group,
    startedBy: t.startedBy,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    healthStatus: t.healthStatus,
    launchType: t.launchType,
    cpu: t.cpu,
    memory: t.memory,
    createdAt: t.createdAt,
    pullStartedAt: t.pullStartedAt,
    pullStoppedAt: t.pullStoppedAt,
    startedAt: t.startedAt,
    stoppingAt: t.stoppingAt,
    stoppedAt: t.stoppedAt,
    executionStoppedAt: t.executionStoppedAt,
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    capacityProviderName: t.capacityProviderName,
    // ECS always reports overrides: one entry per container (just its name) when none were given.
    overrides: {
      ...t.overrides,
      containerOverrides: t.overrides?.containerOverrides ?? t.containers.map((c) => ({ name: c.name })),
      inferenceAcceleratorOverrides: [],
    },
    availabilityZone: 'us-east-1a',
    attachments: awsvpc
      ? [
          {
            id: `eni-attachment-${t.id.slice(0, 8)}`,
            type: 'ElasticNetworkInterface',
            status: t.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
            details: [{ name: 'privateIPv4Address', value: '127.0.0.1' }],
          },
        ]
      : [],
    containers: t.containers.map((c) => {
      const serving = c === t.main && t.port !== undefined;
      return {
        containerArn: `${t.arn.replace(':task/', ':container/')}/${c.name}`,
        taskArn: t.arn,
        name: c.name,
        image: c.image,
        lastStatus:
          t.lastStatus === 'RUNNING' || t.lastStatus === 'DEACTIVATING'
            ? 'RUNNING'
            : c.exitCode !== undefined
              ? 'STOPPED'
              : t.lastStatus,
        exitCode: c.exitCode,
        reason: c.reason,
        healthStatus: c.healthStatus,
        // awsvpc tasks on AWS listen on the container port of their own ENI; here every task shares
        // loopback, so the real port is reported as the host port of a binding in both network modes.
        networkBindings: serving
          ? [
              {
                bindIP: '127.0.0.1',
                containerPort: c.containerPort ?? t.port,
                hostPort: t.port,
                protocol: 'tcp',
              },
            ]
          : [],
        networkInterfaces:
          serving && awsvpc
            ? [{ attachmentId: `eni-attachment-${t.id.slice(0, 8)}`, privateIpv4Address: '127.0.0.1' }]
            : [],
      };
    }),
    tags: includeTags ? t.tags : undefined,
  };
}
