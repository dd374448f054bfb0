/**
 * The one source of the IAM policies: a role per job (image push, rolling deploy, blue-green
 * deploy, rollback, preview), each statement scoped to the resources that job touches, and the
 * OIDC trust policy that says which GitHub jobs may assume it. `npm run iam -- --account …`
 * renders them for an account; iam/example/ holds the rendering of `EXAMPLE_PARAMETERS`.
 *
 * Adding an AWS command to a role is one line: put the action in the `actions` of the statement
 * whose resources it acts on. Actions that AWS does not scope to a resource go in a statement
 * whose resource is "*" (see `WILDCARD_ONLY`); every other statement names ARNs.
 *
 * Resource-level support is as the Service Authorization Reference lists it:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_applicationautoscaling.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
 */

export type RoleName = 'image-push' | 'deploy-rolling' | 'deploy-blue-green' | 'rollback' | 'preview';
export const ROLE_NAMES: RoleName[] = [
  'image-push',
  'deploy-rolling',
  'deploy-blue-green',
  'rollback',
  'preview',
];

export interface IamParameters {
  /** AWS account of the cluster and the load balancer. */
  account: string;
  region: string;
  /** `OWNER/REPO` of the GitHub repository whose workflows assume the roles. */
  repository: string;
  /** The GitHub environment whose jobs may deploy and roll back (`production`, `staging`). */
  environment: string;
  /** The GitHub environment of the job that builds and pushes images. */
  buildEnvironment: string;
  /** The default branch: the scheduled preview sweep runs there. */
  defaultBranch: string;
  cluster: string;
  /** Services the deploy and rollback roles may update (both colours of a blue-green pair). */
  services: string[];
  /** Task-definition families they register (default: the services' names). */
  families: string[];
  /** Roles the deployed task definitions name (`taskRoleArn`, `executionRoleArn`), by name. */
  taskRoles: string[];
  executionRoles: string[];
  /** ECS infrastructure roles (by name) that `ecs-blue-green` services name in `advancedConfiguration`. */
  infrastructureRoles: string[];
  /** Listener ARNs (production and test) blue-green deploys and rollbacks switch. */
  listeners: string[];
  /** ECR repositories (names) the images come from, and the registry's account. */
  repositories: string[];
  registryAccount: string;
  /** Log groups one-off tasks write to (awslogs), whose tail the action reads; default `/ecs/*`. */
  logGroups?: string[];
  /**
   * The ARN pattern of a listener's rules. By default derived from the listener's ARN; a CDK
   * stack whose listener ARNs are tokens derives it with `Fn.split`/`Fn.join` instead.
   */
  listenerRules?: (listenerArn: string) => string;
  preview: {
    cluster: string;
    /** The one listener preview rules may be created on. */
    listener: string;
    /** Base service names whose previews (`<app>-pr-<n>`) may be created. */
    apps: string[];
    /** ECR repositories (names) preview images are pushed to by the preview workflow's build job. */
    repositories: string[];
    taskRoles: string[];
    executionRoles: string[];
  };
}

export const EXAMPLE_PARAMETERS: IamParameters = {
  account: '111122223333',
  region: 'eu-west-1',
  repository: 'example-org/shop',
  environment: 'production',
  buildEnvironment: 'build',
  defaultBranch: 'main',
  cluster: 'prod',
  services: ['web', 'web-blue', 'web-green'],
  families: ['web'],
  taskRoles: ['web-task'],
  executionRoles: ['web-execution'],
  infrastructureRoles: ['ecsInfrastructureRoleForLoadBalancers'],
  listeners: [
    'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/prod/50dc6c495c0c9188/f2f7dc8efc522ab2',
    'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/prod/50dc6c495c0c9188/0467ef3c8400ae65',
  ],
  repositories: ['shop/web'],
  registryAccount: '444455556666',
  preview: {
    cluster: 'previews',
    listener:
      'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/previews/8e4f0c1a2b3c4d5e/9a8b7c6d5e4f3a2b',
    apps: ['web'],
    repositories: ['shop/web-previews'],
    taskRoles: ['web-preview-task'],
    executionRoles: ['web-preview-execution'],
  },
};

/**
 * Actions whose Resource must be "*": the Service Authorization Reference lists no resource
 * type for them (reads of task definitions and ELB/Auto Scaling descriptions, metric reads,
 * the registry login). A statement with "*" may hold only these.
 */
export const WILDCARD_ONLY = new Set([
  'ecs:DescribeTaskDefinition',
  'ecs:ListTaskDefinitions',
  'ecs:DeregisterTaskDefinition',
  'ecs:ListServices',
  'ecs:ListTasks',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTags',
  'cloudwatch:GetMetricStatistics',
  'cloudwatch:GetMetricData',
  'application-autoscaling:DescribeScalableTargets',
  'application-autoscaling:DescribeScalingPolicies',
  'ecr:GetAuthorizationToken',
]);

/**
 * Permissions AWS checks beside the API action itself: registering or creating with tags also
 * authorizes ecs:TagResource (with `ecs:CreateAction`), a task definition or service naming a
 * role authorizes iam:PassRole, a first scalable target may create the service-linked role.
 */
export const IMPLIED: Record<string, string[]> = {
  'ecs:RegisterTaskDefinition': ['iam:PassRole', 'ecs:TagResource'],
  'ecs:CreateService': ['iam:PassRole', 'ecs:TagResource'],
  'ecs:RunTask': ['iam:PassRole'],
  // ECS-native blue/green: the service's advancedConfiguration names the infrastructure role.
  'ecs:UpdateService': ['iam:PassRole'],
  'elasticloadbalancing:CreateTargetGroup': ['elasticloadbalancing:AddTags'],
  'elasticloadbalancing:CreateRule': ['elasticloadbalancing:AddTags'],
  'application-autoscaling:RegisterScalableTarget': ['iam:CreateServiceLinkedRole'],
};

export type Condition = Record<string, Record<string, string | string[]>>;

export interface StatementTemplate {
  sid: string;
  /** Why this statement exists, for the README. */
  why: string;
  actions: string[];
  resources: (p: IamParameters) => string[];
  condition?: (p: IamParameters) => Condition;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

// ---- ARNs ----
const ecs = (p: IamParameters, rest: string) => `arn:aws:ecs:${p.region}:${p.account}:${rest}`;
const elb = (p: IamParameters, rest: string) =>
  `arn:aws:elasticloadbalancing:${p.region}:${p.account}:${rest}`;
const role = (p: IamParameters, name: string) => `arn:aws:iam::${p.account}:role/${name}`;
const services = (p: IamParameters) => p.services.map((s) => ecs(p, `service/${p.cluster}/${s}`));
const families = (p: IamParameters) =>
  (p.families.length ? p.families : p.services).map((f) => ecs(p, `task-definition/${f}:*`));
/** A listener's rules: `listener-rule/app/<lb>/<lb-id>/<listener-id>/<rule-id>`. */
const rulesOf = (p: IamParameters, listenerArn: string) =>
  p.listenerRules
    ? p.listenerRules(listenerArn)
    : `${listenerArn.replace(':listener/', ':listener-rule/')}/*`;
const previewServices = (p: IamParameters) =>
  p.preview.apps.map((a) => ecs(p, `service/${p.preview.cluster}/${a}-pr-*`));
const previewFamilies = (p: IamParameters) =>
  p.preview.apps.map((a) => ecs(p, `task-definition/${a}-pr-*:*`));
const PREVIEW_TAG = 'deploy-action:preview';
const passedToEcsTasks = (): Condition => ({
  StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
});
const clusterIs =
  (cluster: string) =>
  (p: IamParameters): Condition => ({
    StringEquals: { 'ecs:cluster': ecs(p, `cluster/${cluster}`) },
  });

// ---- builders: one per capability, parameterised by the resources of the role using it ----
type Resources = (p: IamParameters) => string[];
type Statement = Omit<StatementTemplate, 'actions' | 'resources'>;
/** A statement of actions AWS does not scope to a resource (each must be in `WILDCARD_ONLY`). */
const onAnyResource = (s: Statement, actions: string[]): StatementTemplate => ({
  ...s,
  actions,
  resources: () => ['*'],
});
const repositoryArns = (pick: (p: IamParameters) => string[]) => (p: IamParameters) =>
  pick(p).map((r) => `arn:aws:ecr:${p.region}:${p.registryAccount}:repository/${r}`);
const tasksOf = (pick: (p: IamParameters) => string) => (p: IamParameters) => [ecs(p, `task/${pick(p)}/*`)];
const alarmsOfTheAccount: Resources = (p) => [`arn:aws:cloudwatch:${p.region}:${p.account}:alarm:*`];
const lockRules: Resources = (p) => p.listeners.map((l) => rulesOf(p, l));
const serviceDeployments: Resources = (p) =>
  p.services.map((s) => ecs(p, `service-deployment/${p.cluster}/${s}/*`));
const serviceRevisions: Resources = (p) =>
  p.services.map((s) => ecs(p, `service-revision/${p.cluster}/${s}/*`));
const onThisCluster = (p: IamParameters) => clusterIs(p.cluster)(p);
/** The tag condition every preview ELB resource is held to, on the request or on the resource. */
const previewTagged =
  (on: 'RequestTag' | 'ResourceTag') =>
  (p: IamParameters): Condition => ({ StringEquals: { [`aws:${on}/${PREVIEW_TAG}`]: p.preview.apps } });
const previewTargetGroups: Resources = (p) => [elb(p, 'targetgroup/*-pr-*/*')];

const logInToTheRegistry = (why: string) =>
  onAnyResource({ sid: 'LogInToTheRegistry', why }, ['ecr:GetAuthorizationToken']);
/** What `docker push` sends after the login, on the given repositories. */
const pushImages = (sid: string, why: string, resources: Resources): StatementTemplate => ({
  sid,
  why,
  actions: [
    'ecr:BatchCheckLayerAvailability',
    'ecr:InitiateLayerUpload',
    'ecr:UploadLayerPart',
    'ecr:CompleteLayerUpload',
    'ecr:PutImage',
    'ecr:BatchGetImage',
    'ecr:DescribeImages',
  ],
  resources,
});
const resolveImageDigests = (why: string): StatementTemplate => ({
  sid: 'ResolveImageDigests',
  why,
  actions: ['ecr:DescribeImages'],
  resources: repositoryArns((p) => p.repositories),
});
/** iam:PassRole on the named roles; the caller's condition says to which service. */
const passRoles = (s: Statement, names: (p: IamParameters) => string[]): StatementTemplate => ({
  ...s,
  actions: ['iam:PassRole'],
  resources: (p) => names(p).map((r) => role(p, r)),
});
const readLoadBalancing = (actions: string[]) =>
  onAnyResource(
    { sid: 'ReadLoadBalancing', why: 'ELB Describe* actions have no resource type: "*".' },
    actions,
  );

// ---- statements shared by the deploy and rollback roles ----
const readServices: StatementTemplate = {
  sid: 'ReadAndUpdateServices',
  why: 'Read, update and tag (history) the named services only.',
  actions: ['ecs:DescribeServices', 'ecs:UpdateService', 'ecs:ListTagsForResource', 'ecs:TagResource'],
  resources: services,
};
const readServiceDeployments: StatementTemplate = {
  sid: 'ReadServiceDeployments',
  why: "ECS's own records of each deployment (the history rollback trusts), for the named services only.",
  actions: ['ecs:ListServiceDeployments', 'ecs:DescribeServiceDeployments', 'ecs:DescribeServiceRevisions'],
  resources: (p) => [...services(p), ...serviceDeployments(p), ...serviceRevisions(p)],
};
const readTaskDefinitions = onAnyResource(
  { sid: 'ReadTaskDefinitions', why: 'DescribeTaskDefinition has no resource type: "*".' },
  ['ecs:DescribeTaskDefinition'],
);
const readTasks = onAnyResource(
  {
    sid: 'ReadTasks',
    why: "Stopped tasks' reasons, on this cluster only (ListTasks takes the ecs:cluster condition).",
    condition: onThisCluster,
  },
  ['ecs:ListTasks'],
);
const describeTasks: StatementTemplate = {
  sid: 'DescribeTasks',
  why: 'Tasks of this cluster only.',
  actions: ['ecs:DescribeTasks'],
  resources: tasksOf((p) => p.cluster),
};
const registerTaskDefinitions: StatementTemplate = {
  sid: 'RegisterTaskDefinitions',
  why: 'New revisions of the named families only.',
  actions: ['ecs:RegisterTaskDefinition'],
  resources: families,
};
const passTaskRoles = passRoles(
  {
    sid: 'PassTaskRolesToEcsTasksOnly',
    why: 'The task and execution roles the task definitions name, handed to ECS tasks only.',
    condition: passedToEcsTasks,
  },
  (p) => [...p.taskRoles, ...p.executionRoles],
);
const resolveImages = resolveImageDigests(
  'Tag to digest, in the registry the images were pushed to (which may be another account).',
);
const runOneOffTasks: StatementTemplate = {
  sid: 'RunOneOffTasks',
  why: 'Migrations and one-off tasks (`command: run-task`): revisions of the named families, on this cluster only.',
  actions: ['ecs:RunTask'],
  resources: families,
  condition: onThisCluster,
};
const stopOneOffTasks: StatementTemplate = {
  sid: 'StopOneOffTasks',
  why: 'A cancelled job stops the one-off task it started: tasks of this cluster only.',
  actions: ['ecs:StopTask'],
  resources: tasksOf((p) => p.cluster),
};
const readTaskLogs: StatementTemplate = {
  sid: 'ReadOneOffTaskLogs',
  why: "The tail of a one-off task's awslogs streams, in the named log groups (default: `/ecs/*`).",
  actions: ['logs:GetLogEvents'],
  resources: (p) =>
    (p.logGroups ?? ['/ecs/*']).map(
      (g) => `arn:aws:logs:${p.region}:${p.account}:log-group:${g}:log-stream:*`,
    ),
};
const readListeners = readLoadBalancing([
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'elasticloadbalancing:DescribeTargetHealth',
]);
const driveNativeDeployments: StatementTemplate = {
  sid: 'DriveEcsBlueGreenDeployments',
  why: "ECS-native blue/green: list, read, continue (pause hooks) and stop (rollback) the named services' service deployments.",
  actions: [
    'ecs:ListServiceDeployments',
    'ecs:DescribeServiceDeployments',
    'ecs:ContinueServiceDeployment',
    'ecs:StopServiceDeployment',
  ],
  resources: (p) => [...services(p), ...serviceDeployments(p)],
};
const readRevisions: StatementTemplate = {
  sid: 'ReadServiceRevisions',
  why: 'ECS-native rollback: which task definitions the revisions of a deployment in progress run.',
  actions: ['ecs:DescribeServiceRevisions'],
  resources: serviceRevisions,
};
const passInfrastructureRoles = passRoles(
  {
    sid: 'PassInfrastructureRolesToEcsOnly',
    why: 'The load-balancer infrastructure role an ECS blue/green service names, handed to ECS only.',
    condition: () => ({ StringEquals: { 'iam:PassedToService': 'ecs.amazonaws.com' } }),
  },
  (p) => p.infrastructureRoles,
);
const switchTraffic: StatementTemplate = {
  sid: 'SwitchTrafficOnTheNamedListeners',
  why: 'Move weights on the named listeners and their rules only.',
  actions: ['elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyRule'],
  resources: (p) => [...p.listeners, ...lockRules(p)],
};
const LOCK_TAG = 'deploy-action:lock';
const takeTheReleaseLock: StatementTemplate = {
  sid: 'TakeTheReleaseLock',
  why: 'The release lock is a listener rule at priority 50000 carrying the deploy-action:lock tags, on the named listeners only.',
  actions: ['elasticloadbalancing:CreateRule'],
  resources: (p) => p.listeners,
  condition: () => ({ Null: { [`aws:RequestTag/${LOCK_TAG}`]: 'false' } }),
};
const holdTheReleaseLock: StatementTemplate = {
  sid: 'RenewAndReleaseTheLock',
  why: "Renew (tag) and delete only rules that carry the lock's tag, on the named listeners.",
  actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:DeleteRule'],
  resources: lockRules,
  condition: () => ({ Null: { [`aws:ResourceTag/${LOCK_TAG}`]: 'false' } }),
};
const tagTheLockOnCreate: StatementTemplate = {
  sid: 'TagTheLockRuleOnCreate',
  why: 'CreateRule with tags also needs AddTags, on the rule being created only.',
  actions: ['elasticloadbalancing:AddTags'],
  resources: lockRules,
  condition: () => ({ StringEquals: { 'elasticloadbalancing:CreateAction': 'CreateRule' } }),
};
/** Every statement of the release lock, in the order the roles list them. */
const theReleaseLock = [takeTheReleaseLock, tagTheLockOnCreate, holdTheReleaseLock];
const findServiceListener = onAnyResource(
  {
    sid: 'FindTheListenerOfAService',
    why: 'A rolling service\'s release lock lives on the listener in front of its target group; ELB Describe* have no resource type: "*".',
  },
  [
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeListeners',
    'elasticloadbalancing:DescribeRules',
  ],
);
const readLockTags = onAnyResource(
  { sid: 'ReadWhoHoldsTheLock', why: 'DescribeTags has no resource type: "*".' },
  ['elasticloadbalancing:DescribeTags'],
);
const readAlarms: StatementTemplate = {
  sid: 'ReadAlarms',
  why: 'Alarm states (alarms of this account and region; DescribeAlarms also lists by prefix).',
  actions: ['cloudwatch:DescribeAlarms'],
  resources: alarmsOfTheAccount,
};
const moveStepScalingAlarms: StatementTemplate = {
  sid: 'MoveStepScalingAlarms',
  why: "After a switch the alarms that run the old side's step scaling policies are rewritten (PutMetricAlarm) to run the new side's copies; PutMetricAlarm is scoped to alarm ARNs of this account and region.",
  actions: ['cloudwatch:PutMetricAlarm'],
  resources: alarmsOfTheAccount,
};
const readMetrics = onAnyResource({ sid: 'ReadMetrics', why: 'Metric reads have no resource type: "*".' }, [
  'cloudwatch:GetMetricStatistics',
]);
const readScaling = onAnyResource(
  { sid: 'ReadScaling', why: 'Application Auto Scaling Describe* actions have no resource type: "*".' },
  ['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies'],
);
const moveScaling: StatementTemplate = {
  sid: 'MoveScalingBetweenColours',
  why: "Scalable targets' ARNs carry an id AWS picks at registration, so they can be scoped to this account and region, not to a service.",
  actions: [
    'application-autoscaling:RegisterScalableTarget',
    'application-autoscaling:DeregisterScalableTarget',
    'application-autoscaling:PutScalingPolicy',
  ],
  resources: (p) => [`arn:aws:application-autoscaling:${p.region}:${p.account}:scalable-target/*`],
};
/**
 * What a blue-green switch and its rollback share after the lock: the traffic move, the alarm
 * and metric reads of the bake, and the scaling that follows the live colour.
 */
const switchAndBake = [
  switchTraffic,
  readAlarms,
  readMetrics,
  readScaling,
  moveScaling,
  moveStepScalingAlarms,
];
const createIdleColour: StatementTemplate = {
  sid: 'CreateTheIdleColour',
  why: 'The first release creates the idle colour, only among the named services, in this cluster.',
  actions: ['ecs:CreateService'],
  resources: services,
  condition: onThisCluster,
};
const tagOnCreate: StatementTemplate = {
  sid: 'TagOnlyWhileCreating',
  why: 'Tags passed with RegisterTaskDefinition or CreateService (ecs:CreateAction), nothing else.',
  actions: ['ecs:TagResource'],
  resources: (p) => [...families(p), ...services(p)],
  condition: () => ({ StringEquals: { 'ecs:CreateAction': ['RegisterTaskDefinition', 'CreateService'] } }),
};
const untagServices: StatementTemplate = {
  sid: 'UntagServices',
  why: 'Remove history entries that no longer fit the 50-tag limit, on the named services only.',
  actions: ['ecs:UntagResource'],
  resources: services,
};
/** Reading a service's tasks while it rolls out: task definitions, stopped tasks' reasons. */
const watchTasks = [readTaskDefinitions, readTasks, describeTasks];
/** Registering the new revision, with its tags, history trimming, roles and image digests. */
const registerRevisions = [registerTaskDefinitions, tagOnCreate, untagServices, passTaskRoles, resolveImages];
/** `command: run-task`: start, stop (on cancel) and read the logs of one-off tasks. */
const oneOffTasks = [runOneOffTasks, stopOneOffTasks, readTaskLogs];

// ---- the roles ----
export const ROLES: Record<RoleName, StatementTemplate[]> = {
  'image-push': [
    logInToTheRegistry('GetAuthorizationToken has no resource type: "*".'),
    pushImages(
      'PushToTheNamedRepositories',
      'Push layers and the manifest to the named repositories only.',
      repositoryArns((p) => p.repositories),
    ),
  ],
  'deploy-rolling': [
    readServices,
    findServiceListener,
    ...theReleaseLock,
    readLockTags,
    ...watchTasks,
    ...registerRevisions,
    ...oneOffTasks,
  ],
  'deploy-blue-green': [
    readServices,
    createIdleColour,
    ...watchTasks,
    ...registerRevisions,
    readListeners,
    ...theReleaseLock,
    readLockTags,
    ...switchAndBake,
    ...oneOffTasks,
    driveNativeDeployments,
    passInfrastructureRoles,
  ],
  rollback: [
    readServices,
    readServiceDeployments,
    findServiceListener,
    ...watchTasks,
    untagServices,
    readListeners,
    ...theReleaseLock,
    readLockTags,
    ...switchAndBake,
    driveNativeDeployments,
    readRevisions,
  ],
  preview: [
    {
      sid: 'ReadBaseServices',
      why: 'The base services previews copy their network settings from.',
      actions: ['ecs:DescribeServices'],
      resources: (p) => p.preview.apps.map((a) => ecs(p, `service/${p.cluster}/${a}`)),
    },
    onAnyResource(
      {
        sid: 'ReadTaskDefinitionsAndListPreviews',
        why: 'No resource type for these: "*"; ListServices is held to the preview cluster.',
      },
      ['ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions', 'ecs:DeregisterTaskDefinition'],
    ),
    onAnyResource(
      {
        sid: 'ListPreviewServicesAndTasks',
        why: 'On the preview cluster only (ecs:cluster).',
        condition: (p) => clusterIs(p.preview.cluster)(p),
      },
      ['ecs:ListServices', 'ecs:ListTasks'],
    ),
    {
      sid: 'PreviewServices',
      why: 'Create, update, tag and delete `<app>-pr-*` services in the preview cluster only.',
      actions: [
        'ecs:CreateService',
        'ecs:DescribeServices',
        'ecs:UpdateService',
        'ecs:DeleteService',
        'ecs:TagResource',
      ],
      resources: previewServices,
    },
    {
      sid: 'PreviewTasks',
      why: 'Tasks of the preview cluster only.',
      actions: ['ecs:DescribeTasks'],
      resources: tasksOf((p) => p.preview.cluster),
    },
    {
      sid: 'RegisterPreviewTaskDefinitions',
      why: 'Preview families (`<app>-pr-*`) only, tagged on creation.',
      actions: ['ecs:RegisterTaskDefinition', 'ecs:TagResource'],
      resources: previewFamilies,
    },
    passRoles(
      {
        sid: 'PassPreviewRolesToEcsTasksOnly',
        why: "Only the roles the base config names for previews, never production's.",
        condition: passedToEcsTasks,
      },
      (p) => [...p.preview.taskRoles, ...p.preview.executionRoles],
    ),
    resolveImageDigests(
      "Digests of the base definition's other images (sidecars) in the release repositories: read only.",
    ),
    logInToTheRegistry(
      'The preview build job pushes the pull request\'s image; GetAuthorizationToken has no resource type: "*".',
    ),
    pushImages(
      'PushAndResolvePreviewImages',
      'Push to, and resolve digests in, the preview repositories only (never the release repositories).',
      repositoryArns((p) => p.preview.repositories),
    ),
    readLoadBalancing([
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTargetHealth',
      'elasticloadbalancing:DescribeTags',
    ]),
    {
      sid: 'RulesOnThePreviewListenerOnly',
      why: 'A rule can only be created on the preview listener, never on a production one.',
      actions: ['elasticloadbalancing:CreateRule'],
      resources: (p) => [p.preview.listener],
      condition: previewTagged('RequestTag'),
    },
    {
      sid: 'DeletePreviewRules',
      why: "Rules of the preview listener that carry a preview's tag.",
      actions: ['elasticloadbalancing:DeleteRule'],
      resources: (p) => [rulesOf(p, p.preview.listener)],
      condition: previewTagged('ResourceTag'),
    },
    {
      sid: 'CreatePreviewTargetGroups',
      why: 'Target groups are created tagged as a preview (names may be shortened, so the tag is the scope).',
      actions: ['elasticloadbalancing:CreateTargetGroup'],
      resources: previewTargetGroups,
      condition: previewTagged('RequestTag'),
    },
    {
      sid: 'DeletePreviewTargetGroups',
      why: "Only target groups that carry a preview's tag.",
      actions: ['elasticloadbalancing:DeleteTargetGroup'],
      resources: previewTargetGroups,
      condition: previewTagged('ResourceTag'),
    },
    {
      sid: 'TagPreviewResources',
      why: 'Tags on preview target groups and preview listener rules only.',
      actions: ['elasticloadbalancing:AddTags'],
      resources: (p) => [...previewTargetGroups(p), rulesOf(p, p.preview.listener)],
      condition: previewTagged('ResourceTag'),
    },
  ],
};

/** Who may assume each role: GitHub's OIDC provider, this repository, and the job's context. */
export function trustedSubjects(roleName: RoleName, p: IamParameters): string[] {
  const repo = `repo:${p.repository}`;
  switch (roleName) {
    case 'image-push':
      return [`${repo}:environment:${p.buildEnvironment}`];
    case 'deploy-rolling':
    case 'deploy-blue-green':
    case 'rollback':
      return [`${repo}:environment:${p.environment}`];
    case 'preview':
      // Pull-request jobs (without an environment) bring previews up and down; the sweep runs
      // on a schedule on the default branch.
      return [`${repo}:pull_request`, `${repo}:ref:refs/heads/${p.defaultBranch}`];
  }
}

export function trustPolicy(roleName: RoleName, p: IamParameters): object {
  // The image-push role lives in the registry's account; the others beside the cluster.
  const account = roleName === 'image-push' ? p.registryAccount : p.account;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GitHubActionsOidc',
        Effect: 'Allow',
        Principal: {
          Federated: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': trustedSubjects(roleName, p),
          },
        },
      },
    ],
  };
}

export function policy(roleName: RoleName, p: IamParameters): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: ROLES[roleName].map((s) => ({
      Sid: s.sid,
      Effect: 'Allow' as const,
      Action: [...s.actions].sort(),
      Resource: s.resources(p),
      ...(s.condition ? { Condition: s.condition(p) } : {}),
    })),
  };
}

export function allowedActions(roleName: RoleName): Set<string> {
  return new Set(ROLES[roleName].flatMap((s) => s.actions));
}

// ---- "no wider than the template" ----

/** IAM's own wildcard matching: `*` any run of characters, `?` one. */
export function arnMatches(pattern: string, arn: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(arn);
}

/**
 * Problems with `actual` compared to the template of its role: a statement the template lacks,
 * an action it does not grant, a resource no template resource covers (a pattern is only
 * covered by the same or a narrower pattern), or a template condition missing or loosened.
 */
export function widerThanTemplate(roleName: RoleName, actual: PolicyDocument, p: IamParameters): string[] {
  const template = new Map(policy(roleName, p).Statement.map((s) => [s.Sid, s]));
  const problems: string[] = [];
  for (const s of actual.Statement) {
    const t = template.get(s.Sid);
    if (!t) {
      problems.push(`${roleName}: statement ${s.Sid} is not in the template`);
      continue;
    }
    if (s.Effect !== 'Allow') problems.push(`${roleName}/${s.Sid}: Effect must be Allow`);
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    for (const a of actions) {
      if (!t.Action.includes(a)) problems.push(`${roleName}/${s.Sid}: action ${a} is not in the template`);
    }
    const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    for (const r of resources) {
      if (!t.Resource.some((tr) => arnMatches(tr, r))) {
        problems.push(
          `${roleName}/${s.Sid}: resource ${r} is wider than the template's ${t.Resource.join(', ')}`,
        );
      }
      if (r === '*' && !actions.every((a) => WILDCARD_ONLY.has(a))) {
        const scoped = actions.filter((a) => !WILDCARD_ONLY.has(a));
        problems.push(
          `${roleName}/${s.Sid}: "*" for ${scoped.join(', ')}, which AWS can scope to a resource`,
        );
      }
    }
    for (const [operator, keys] of Object.entries(t.Condition ?? {})) {
      for (const [key, expected] of Object.entries(keys)) {
        const got = s.Condition?.[operator]?.[key];
        const want = Array.isArray(expected) ? expected : [expected];
        const have = got === undefined ? [] : Array.isArray(got) ? got : [got];
        if (!have.length) problems.push(`${roleName}/${s.Sid}: condition ${operator} ${key} is missing`);
        else if (have.some((v) => !want.includes(v))) {
          problems.push(
            `${roleName}/${s.Sid}: condition ${operator} ${key} allows ${have.join(', ')}, wider than ${want.join(', ')}`,
          );
        }
      }
    }
  }
  return problems;
}
