/**
 * What carecompanion/deploy-action expects to find for `strategy: blue-green` and for PR previews:
 * two long-lived services (`<service>-blue`, `<service>-green`), one target group each, a
 * production listener forwarding to both with weights, a test listener the action points at the
 * idle side, a preview listener with a wildcard certificate and DNS record, the task roles and
 * the role GitHub Actions assumes through OIDC.
 *
 * The action changes some of these resources at every release. CloudFormation only writes a
 * property when the template's value for it changes, so the rule here is: what the action owns
 * is either left out of the template (desired counts) or written once as a bootstrap value and
 * never edited again (listener weights, the test listener's target, autoscaling bounds, the
 * bootstrap task definition). `test/stack.test.ts` pins those values so a change is deliberate.
 */
import { Aws, CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type { Construct } from 'constructs';
import {
  type IamParameters,
  type PolicyDocument,
  policy,
  type RoleName,
  trustedSubjects,
} from '../../../iam/roles.js';

export interface DeployTargetProps extends StackProps {
  /** Base service name: the action's `service` input. The services are `<name>-blue` and `<name>-green`. */
  serviceName: string;
  /** An existing public hosted zone (given by id and name: no lookup, so `synth` needs no credentials). */
  hostedZoneId: string;
  zoneName: string;
  /** Production host name, e.g. `app.example.com`. */
  appDomain: string;
  /** Previews live at `pr-<n>.<previewDomain>`: the action's `preview-domain` input. */
  previewDomain: string;
  /** `owner/repo` whose workflows assume the roles (iam/roles.ts says which job assumes which). */
  githubRepository: string;
  /** The GitHub environment whose jobs deploy and roll back this stack; default `production`. */
  githubEnvironment?: string;
  /** The default branch (the scheduled preview sweep runs there); default `main`. */
  defaultBranch?: string;
  /** The account's GitHub OIDC provider ARN (one per account; create it once outside this stack). */
  githubOidcProviderArn?: string;
  /** Port the app listens on in its container. */
  containerPort?: number;
  /** Health-check path of the target groups. */
  healthCheckPath?: string;
  /** Tasks of the live side at bootstrap, and the autoscaling bounds the action copies between sides. */
  minTasks?: number;
  maxTasks?: number;
  /** Who may reach the test listener (smoke tests against the idle side). Narrow it to your runners or VPN. */
  testListenerPeer?: ec2.IPeer;
}

export const TEST_LISTENER_PORT = 8443;

export class DeployTargetStack extends Stack {
  constructor(scope: Construct, id: string, props: DeployTargetProps) {
    super(scope, id, props);
    const name = props.serviceName;
    const containerPort = props.containerPort ?? 8080;
    const minTasks = props.minTasks ?? 2;
    const maxTasks = props.maxTasks ?? 10;

    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const repository = new ecr.Repository(this, 'Repository', {
      repositoryName: name,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: props.hostedZoneId,
      zoneName: props.zoneName,
    });
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.appDomain,
      validation: acm.CertificateValidation.fromDns(zone),
    });
    // One wildcard certificate covers every `pr-<n>.<previewDomain>` host the action routes.
    const previewCertificate = new acm.Certificate(this, 'PreviewCertificate', {
      domainName: `*.${props.previewDomain}`,
      validation: acm.CertificateValidation.fromDns(zone),
    });

    // ---------- production: two services, two target groups, weighted listener, test listener ----------

    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: true });
    const targetGroup = (color: string) =>
      new elbv2.ApplicationTargetGroup(this, `${color}TargetGroup`, {
        vpc,
        targetGroupName: `${name}-${color.toLowerCase()}`,
        targetType: elbv2.TargetType.IP,
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: containerPort,
        // The action scales the old side down only after this delay: keep it short but real.
        deregistrationDelay: Duration.seconds(30),
        healthCheck: {
          path: props.healthCheckPath ?? '/health',
          interval: Duration.seconds(10),
          healthyThresholdCount: 2,
        },
      });
    const blueTargetGroup = targetGroup('Blue');
    const greenTargetGroup = targetGroup('Green');

    // Bootstrap weights: blue live, green idle. The action moves them at every release, and
    // CloudFormation writes them again only if this action changes in the template — so never
    // edit it after the first deploy (the test pins it).
    const production = alb.addListener('Production', {
      port: 443,
      certificates: [certificate],
      defaultAction: elbv2.ListenerAction.weightedForward([
        { targetGroup: blueTargetGroup, weight: 100 },
        { targetGroup: greenTargetGroup, weight: 0 },
      ]),
    });
    alb.addListener('HttpRedirect', {
      port: 80,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
    // The action points the test listener at the idle side before smoke tests; same rule as above.
    const test = alb.addListener('Test', {
      port: TEST_LISTENER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [certificate],
      open: false,
      defaultAction: elbv2.ListenerAction.forward([greenTargetGroup]),
    });
    alb.connections.allowFrom(props.testListenerPeer ?? ec2.Peer.anyIpv4(), ec2.Port.tcp(TEST_LISTENER_PORT));
    new route53.ARecord(this, 'AppRecord', {
      zone,
      recordName: props.appDomain,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(alb)),
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/ecs/${name}`,
      retention: logs.RetentionDays.ONE_MONTH,
    });
    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonECSTaskExecutionRolePolicy'),
      ],
    });
    const taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    // Only the first revision comes from here: every release registers its own from the
    // repository's task-definition file (or the live one). Edit this and CloudFormation would
    // put the services back on it, so leave it as it is once deployed.
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: name,
      cpu: 256,
      memoryLimitMiB: 512,
      executionRole,
      taskRole,
    });
    taskDefinition.addContainer('web', {
      containerName: 'web',
      image: ecs.ContainerImage.fromEcrRepository(repository, 'bootstrap'),
      portMappings: [{ containerPort }],
      // run-task shows the tail of this stream (`<prefix>/<container>/<task-id>`) for migrations.
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: name }),
    });

    const service = (color: 'blue' | 'green', group: elbv2.ApplicationTargetGroup) => {
      const svc = new ecs.FargateService(this, `${color === 'blue' ? 'Blue' : 'Green'}Service`, {
        cluster,
        serviceName: `${name}-${color}`,
        taskDefinition,
        // No desiredCount: CloudFormation then leaves the count alone on updates, and the
        // action owns it (it scales the idle side to 0 and the new side up). On creation ECS
        // starts one task per service.
        minHealthyPercent: 100,
        maxHealthyPercent: 200,
        circuitBreaker: { enable: true, rollback: true },
        // ECS controller: the action refuses CODE_DEPLOY and EXTERNAL.
        deploymentController: { type: ecs.DeploymentControllerType.ECS },
        healthCheckGracePeriod: Duration.seconds(60),
        propagateTags: ecs.PropagatedTagSource.SERVICE,
        enableECSManagedTags: true,
      });
      svc.attachToApplicationTargetGroup(group);
      return svc;
    };
    const blue = service('blue', blueTargetGroup);
    service('green', greenTargetGroup);

    // Autoscaling on the live side only, written once. The action gives the new live side these
    // bounds and policies and the idle side min 0 (scale-in only) at every release; a later
    // template change here would write them back over the action's, so do not edit it.
    const scaling = blue.autoScaleTaskCount({ minCapacity: minTasks, maxCapacity: maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70 });

    // ---------- previews: a shared listener, wildcard certificate and DNS ----------

    const previewAlb = new elbv2.ApplicationLoadBalancer(this, 'PreviewAlb', { vpc, internetFacing: true });
    // The action adds one host-header rule per pull request (priorities 1000–50000 by default);
    // anything else gets a 404.
    const preview = previewAlb.addListener('Preview', {
      port: 443,
      certificates: [previewCertificate],
      defaultAction: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'No preview at this address.',
      }),
    });
    new route53.ARecord(this, 'PreviewWildcardRecord', {
      zone,
      recordName: `*.${props.previewDomain}`,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(previewAlb)),
    });
    // Preview tasks run in the base service's network: let the preview load balancer reach them.
    for (const svc of [blue]) svc.connections.allowFrom(previewAlb, ec2.Port.tcp(containerPort));

    // ---------- the roles GitHub Actions assumes: one per job, from iam/roles.ts ----------

    // Previews never get the production task or execution role: they run the pull request's code.
    const previewExecutionRole = new iam.Role(this, 'PreviewExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonECSTaskExecutionRolePolicy'),
      ],
    });
    const previewTaskRole = new iam.Role(this, 'PreviewTaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    // Listener ARNs are tokens here: split them in CloudFormation to name their rules.
    const listenerRules = (listenerArn: string) => {
      const parts = Fn.split(':listener/', listenerArn);
      return Fn.join('', [Fn.select(0, parts), ':listener-rule/', Fn.select(1, parts), '/*']);
    };
    const iamParameters: IamParameters = {
      account: Aws.ACCOUNT_ID,
      region: Aws.REGION,
      repository: props.githubRepository,
      environment: props.githubEnvironment ?? 'production',
      buildEnvironment: 'build',
      defaultBranch: props.defaultBranch ?? 'main',
      cluster: cluster.clusterName,
      services: [`${name}-blue`, `${name}-green`],
      families: [name],
      taskRoles: [taskRole.roleName],
      executionRoles: [executionRole.roleName],
      // The pair is released by the action (ECS deployment controller), not by ECS-native
      // blue/green: no load-balancer infrastructure role to pass.
      infrastructureRoles: [],
      listeners: [production.listenerArn, test.listenerArn],
      listenerRules,
      repositories: [repository.repositoryName],
      registryAccount: Aws.ACCOUNT_ID,
      preview: {
        cluster: cluster.clusterName,
        listener: preview.listenerArn,
        apps: [name, `${name}-blue`, `${name}-green`],
        repositories: [repository.repositoryName],
        taskRoles: [previewTaskRole.roleName],
        executionRoles: [previewExecutionRole.roleName],
      },
    };
    const providerArn =
      props.githubOidcProviderArn ??
      `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;
    const githubRole = (role: RoleName, id: string) =>
      new iam.Role(this, id, {
        roleName: `${name}-${role}`,
        maxSessionDuration: Duration.hours(2),
        assumedBy: new iam.WebIdentityPrincipal(providerArn, {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': trustedSubjects(role, iamParameters),
          },
        }),
        inlinePolicies: {
          'deploy-action': iam.PolicyDocument.fromJson(withResources(policy(role, iamParameters))),
        },
      });
    const pushRole = githubRole('image-push', 'ImagePushRole');
    const deployRole = githubRole('deploy-blue-green', 'DeployRole');
    const rollbackRole = githubRole('rollback', 'RollbackRole');
    const previewRole = githubRole('preview', 'PreviewRole');

    // ---------- what to put in .github/deploy.yml ----------

    const out = (id: string, value: string, description: string) =>
      new CfnOutput(this, `Setting${id}`, { value, description });
    out('Cluster', cluster.clusterName, 'cluster');
    out('Service', name, 'service (blue-green: <service>-blue and <service>-green)');
    out('Listener', production.listenerArn, 'listener');
    out('TestListener', test.listenerArn, 'test-listener');
    out('TestUrl', `https://${props.appDomain}:${TEST_LISTENER_PORT}`, 'test-url');
    out('BlueTargetGroup', blueTargetGroup.targetGroupArn, 'blue-target-group');
    out('GreenTargetGroup', greenTargetGroup.targetGroupArn, 'green-target-group');
    out('PreviewListener', preview.listenerArn, 'preview-listener');
    out('PreviewDomain', props.previewDomain, 'preview-domain');
    out('DeployRoleArn', deployRole.roleArn, 'role-to-assume of release.yml');
    out('ImagePushRoleArn', pushRole.roleArn, 'build-role-to-assume of release.yml');
    out('RollbackRoleArn', rollbackRole.roleArn, 'role-to-assume of rollback.yml');
    out('PreviewRoleArn', previewRole.roleArn, 'role-to-assume of preview.yml');
    out('EcrRepository', repository.repositoryName, 'ecr-repository');
  }
}

/** IAM refuses a statement without resources: drop those this stack has nothing for. */
function withResources(doc: PolicyDocument): PolicyDocument {
  return { ...doc, Statement: doc.Statement.filter((st) => st.Resource.length > 0) };
}
