import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../src/aws/clients.js';
import { type Step, undoStep } from '../../src/release/steps.js';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'eu-west-1' });
const clients = { region: 'eu-west-1', ecs } as unknown as AwsClients;
afterEach(() => {
  ecsMock.reset();
});

const step = (over: Partial<Extract<Step, { kind: 'service' }>> = {}): Step => ({
  kind: 'service',
  cluster: 'prod',
  service: 'web',
  desiredCount: 2,
  taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1',
  deploymentId: 'ecs-svc/ours',
  keepIfCompleted: true,
  ...over,
});
const live = (deployments: object[]) =>
  ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'web', deployments }] });
const td = (n: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/web:${n}`;

describe('the post step reads what is live before undoing a deploy', () => {
  it('leaves a completed rolling deployment alone, and says why', async () => {
    live([{ id: 'ecs-svc/ours', status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: td(2) }]);
    expect(await undoStep(clients, step())).toBe(
      'web left alone: our deployment ecs-svc/ours (web:2) completed.',
    );
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('leaves a deployment that a newer one superseded alone', async () => {
    live([
      { id: 'ecs-svc/newer', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: td(3) },
      { id: 'ecs-svc/ours', status: 'ACTIVE', taskDefinition: td(2) },
    ]);
    expect(await undoStep(clients, step())).toMatch(/superseded ours .* undoing would roll back over it/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it("follows ECS's own rollback: an older deployment made PRIMARY again does not supersede ours", async () => {
    live([
      {
        id: 'ecs-svc/old',
        status: 'PRIMARY',
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/old.',
        createdAt: new Date('2026-12-01T10:00:00Z'),
        taskDefinition: td(1),
      },
      {
        id: 'ecs-svc/ours',
        status: 'ACTIVE',
        createdAt: new Date('2026-12-01T11:00:00Z'),
        taskDefinition: td(2),
      },
    ]);
    ecsMock.on(UpdateServiceCommand).resolves({});
    const s = step({ keepIfCompleted: undefined, deploymentCreatedAt: '2026-12-01T11:00:00.000Z' });
    expect(await undoStep(clients, s)).toBe('web set back to 2 tasks of web:1.');
    // A deployment created after ours is someone else's: left alone.
    live([
      {
        id: 'ecs-svc/newer',
        status: 'PRIMARY',
        createdAt: new Date('2026-12-01T12:00:00Z'),
        taskDefinition: td(3),
      },
    ]);
    expect(await undoStep(clients, s)).toMatch(/superseded ours/);
  });

  it('sets back a deployment still in progress', async () => {
    live([
      { id: 'ecs-svc/ours', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: td(2) },
      { id: 'ecs-svc/old', status: 'ACTIVE', taskDefinition: td(1) },
    ]);
    ecsMock.on(UpdateServiceCommand).resolves({});
    expect(await undoStep(clients, step())).toBe('web set back to 2 tasks of web:1.');
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toMatchObject({
      taskDefinition: td(1),
      desiredCount: 2,
    });
  });

  it('sets back a blue-green idle side even after its deployment completed', async () => {
    live([{ id: 'ecs-svc/ours', status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: td(2) }]);
    ecsMock.on(UpdateServiceCommand).resolves({});
    expect(await undoStep(clients, step({ keepIfCompleted: undefined }))).toBe(
      'web set back to 2 tasks of web:1.',
    );
  });
});
