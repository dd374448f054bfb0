/**
 * The synthesized template has what the action expects, and leaves alone what the action owns.
 * Run offline: `npm test` (no AWS credentials, no context lookups).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_PARAMETERS, policy, type RoleName } from '../../../iam/roles.js';
import { buildApp } from '../bin/app.js';

const { app, stack } = buildApp(new App());
const template = Template.fromStack(stack);
const resources = (type: string) => template.findResources(type);
// The stack passes no load-balancer infrastructure role (the action, not ECS-native blue/green,
// releases its pair), so that statement, and any other left without resources, is not there.
const sidsOf = (role: RoleName) =>
  policy(role, { ...EXAMPLE_PARAMETERS, infrastructureRoles: [] })
    .Statement.filter((s) => s.Resource.length > 0)
    .map((s) => s.Sid);
const logicalId = (type: string, props: object) => {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  assert.equal(ids.length, 1, `one ${type} with ${JSON.stringify(props)}`);
  return ids[0]!;
};

test('synthesizes without context lookups or error annotations', () => {
  const assembly = app.synth();
  assert.deepEqual(assembly.manifest.missing ?? [], []);
  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
});

test('two services named <service>-blue and <service>-green on the ECS controller, without a desired count', () => {
  const services = Object.values(resources('AWS::ECS::Service'));
  assert.deepEqual(services.map((s) => s.Properties.ServiceName).sort(), ['web-blue', 'web-green']);
  for (const s of services) {
    assert.equal(s.Properties.DeploymentController.Type, 'ECS');
    // Left out so that CloudFormation never writes back over the counts the action sets.
    assert.equal(s.Properties.DesiredCount, undefined);
  }
});

test('each service is attached to its own target group', () => {
  const blue = logicalId('AWS::ElasticLoadBalancingV2::TargetGroup', { Name: 'web-blue' });
  const green = logicalId('AWS::ElasticLoadBalancingV2::TargetGroup', { Name: 'web-green' });
  template.hasResourceProperties('AWS::ECS::Service', {
    ServiceName: 'web-blue',
    LoadBalancers: [Match.objectLike({ TargetGroupArn: { Ref: blue } })],
  });
  template.hasResourceProperties('AWS::ECS::Service', {
    ServiceName: 'web-green',
    LoadBalancers: [Match.objectLike({ TargetGroupArn: { Ref: green } })],
  });
});

test('the production listener forwards to both target groups with the bootstrap weights 100 / 0', () => {
  const blue = logicalId('AWS::ElasticLoadBalancingV2::TargetGroup', { Name: 'web-blue' });
  const green = logicalId('AWS::ElasticLoadBalancingV2::TargetGroup', { Name: 'web-green' });
  // Pinned: a change here would be written over the action's live weights on the next deploy.
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 443,
    DefaultActions: [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: { Ref: blue }, Weight: 100 },
            { TargetGroupArn: { Ref: green }, Weight: 0 },
          ],
        },
      },
    ],
  });
});

test('a test listener on 8443 starts on the idle (green) target group', () => {
  const green = logicalId('AWS::ElasticLoadBalancingV2::TargetGroup', { Name: 'web-green' });
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 8443,
    Protocol: 'HTTPS',
    DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: green } }],
  });
});

test('the preview listener answers 404 by default, with a wildcard certificate and DNS record', () => {
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
    Certificates: [
      {
        CertificateArn: {
          Ref: logicalId('AWS::CertificateManager::Certificate', { DomainName: '*.preview.example.com' }),
        },
      },
    ],
  });
  template.hasResourceProperties('AWS::Route53::RecordSet', { Name: '*.preview.example.com.', Type: 'A' });
});

test('autoscaling only on the live side at bootstrap, so the idle side is never scaled back up', () => {
  const targets = Object.values(resources('AWS::ApplicationAutoScaling::ScalableTarget'));
  assert.equal(targets.length, 1);
  const blueService = logicalId('AWS::ECS::Service', { ServiceName: 'web-blue' });
  assert.match(JSON.stringify(targets[0]!.Properties.ResourceId), new RegExp(blueService));
  assert.equal(targets[0]!.Properties.MinCapacity, 2);
});

test('one role per job, each trusting its own GitHub OIDC subject and carrying its iam/roles.ts policy', () => {
  const roles = Object.values(resources('AWS::IAM::Role'));
  const byName = (n: string) => roles.find((r) => r.Properties.RoleName === n)!;
  const expected: Record<string, { sub: string[]; sids: string[] }> = {
    'web-image-push': { sub: ['repo:example-org/web:environment:build'], sids: sidsOf('image-push') },
    'web-deploy-blue-green': {
      sub: ['repo:example-org/web:environment:production'],
      sids: sidsOf('deploy-blue-green'),
    },
    'web-rollback': { sub: ['repo:example-org/web:environment:production'], sids: sidsOf('rollback') },
    'web-preview': {
      sub: ['repo:example-org/web:pull_request', 'repo:example-org/web:ref:refs/heads/main'],
      sids: sidsOf('preview'),
    },
  };
  for (const [name, { sub, sids }] of Object.entries(expected)) {
    const role = byName(name);
    assert.ok(role, `role ${name}`);
    const trust = role.Properties.AssumeRolePolicyDocument.Statement[0];
    assert.equal(trust.Action, 'sts:AssumeRoleWithWebIdentity');
    assert.equal(
      trust.Condition.StringEquals['token.actions.githubusercontent.com:aud'],
      'sts.amazonaws.com',
    );
    assert.deepEqual(trust.Condition.StringEquals['token.actions.githubusercontent.com:sub'], sub);
    const statements = role.Properties.Policies[0].PolicyDocument.Statement as {
      Sid: string;
      Resource: unknown;
    }[];
    assert.deepEqual(
      statements.map((s) => s.Sid),
      sids,
    );
    // IAM refuses a statement without resources.
    for (const st of statements)
      assert.ok([st.Resource].flat().length > 0, `${name} ${st.Sid} has resources`);
  }
  // The preview role may pass only the preview task and execution roles, never production's.
  const pass = (
    byName('web-preview').Properties.Policies[0].PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[]
  ).find((s) => [s.Action].flat().includes('iam:PassRole'))!;
  const passed = JSON.stringify(pass.Resource);
  const ids = Object.keys(resources('AWS::IAM::Role'));
  for (const id of ids.filter((i) => /^Preview(Task|Execution)Role/.test(i)))
    assert.match(passed, new RegExp(id));
  for (const id of ids.filter((i) => /^(Task|Execution)Role/.test(i)))
    assert.doesNotMatch(passed, new RegExp(`"${id}"`));
});

test('tasks log through awslogs to /ecs/<service> with the service as stream prefix (run-task reads it)', () => {
  template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [
      Match.objectLike({
        Name: 'web',
        LogConfiguration: {
          LogDriver: 'awslogs',
          Options: Match.objectLike({ 'awslogs-stream-prefix': 'web', 'awslogs-group': Match.anyValue() }),
        },
      }),
    ],
  });
  template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/ecs/web' });
});
