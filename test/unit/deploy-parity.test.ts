/**
 * The deploy inputs of the official deploy action, from input text to the UpdateService request:
 * enable-ecs-managed-tags, propagate-tags, ebs-volume (service-managed EBS volume), wait, and a
 * bare family name as task-definition.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { startDeployment } from '../../src/aws/update-service.js';
import { readSettings } from '../../src/settings/read-settings.js';

const ROLE = 'arn:aws:iam::123456789012:role/ecs-infrastructure';

function settings(inputs: Record<string, string>, files: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return readSettings({ inputs: { cluster: 'prod', service: 'web', ...inputs }, workspace: dir, env: {} });
}

describe('deploy inputs to UpdateService', () => {
  const ecs = mockClient(ECSClient);
  afterEach(() => {
    ecs.reset();
  });

  async function sent(inputs: Record<string, string>) {
    ecs
      .on(UpdateServiceCommand)
      .resolves({ service: { deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY' }] } });
    const s = settings(inputs);
    await startDeployment(new ECSClient({ region: 'us-east-1' }), s.targets[0]!, 'arn:td', {
      rolling: s.rolling,
      forceNewDeployment: false,
    });
    return ecs.commandCalls(UpdateServiceCommand).at(-1)!.args[0].input;
  }

  it('passes managed tags and tag propagation', async () => {
    expect(await sent({ 'enable-ecs-managed-tags': 'true', 'propagate-tags': 'SERVICE' })).toMatchObject({
      enableECSManagedTags: true,
      propagateTags: 'SERVICE',
    });
    const plain = await sent({});
    expect(plain.enableECSManagedTags).toBeUndefined();
    expect(plain.propagateTags).toBeUndefined();
  });

  it('passes the EBS volume as a service-managed volume configuration', async () => {
    const input = await sent({
      'ebs-volume': JSON.stringify({
        name: 'data',
        roleArn: ROLE,
        sizeInGiB: 20,
        volumeType: 'gp3',
        encrypted: true,
      }),
    });
    expect(input.volumeConfigurations).toEqual([
      {
        name: 'data',
        managedEBSVolume: { roleArn: ROLE, sizeInGiB: 20, volumeType: 'gp3', encrypted: true },
      },
    ]);
  });
});

describe('deploy input validation', () => {
  it.each([
    [{ 'propagate-tags': 'TASK' }, /Input "propagate-tags" is invalid/],
    [{ 'enable-ecs-managed-tags': 'yes' }, /Input "enable-ecs-managed-tags" is invalid/],
    [{ 'ebs-volume': '{"name": "data"}' }, /Input "ebs-volume" is invalid.*roleArn/],
    [{ 'ebs-volume': `{"name": "data", "roleArn": "${ROLE}"}` }, /sizeInGiB \(or snapshotId\) is required/],
    [
      { 'ebs-volume': `{"name": "data", "roleArn": "${ROLE}", "sizeInGiB": 20, "size": 1}` },
      /Input "ebs-volume" is invalid/,
    ],
    [{ 'ebs-volume': 'data=20' }, /not a JSON object/],
    [
      {
        wait: 'false',
        strategy: 'blue-green',
        listener:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/prod/0123456789abcdef/0123456789abcdef',
      },
      /Input "wait" is false, but a blue-green release/,
    ],
  ])('refuses %j', (inputs, error) => {
    expect(() => settings(inputs as Record<string, string>)).toThrow(error);
  });

  it('wait defaults to true and takes false for a rolling deploy', () => {
    expect(settings({}).rolling.wait).toBe(true);
    expect(settings({ wait: 'false' }).rolling.wait).toBe(false);
  });

  it('a bare family name is its latest ACTIVE revision, unless a file of that name exists', () => {
    expect(settings({ 'task-definition': 'web' }).targets[0]!.taskDefinition).toEqual({
      kind: 'existing',
      ref: 'web',
    });
    const file = settings({ 'task-definition': 'web' }, { web: '{}' }).targets[0]!.taskDefinition;
    expect(file).toMatchObject({ kind: 'file', display: 'web' });
  });
});
