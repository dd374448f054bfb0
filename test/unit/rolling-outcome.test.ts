import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { circuitBreakerThreshold, judgeDeployment } from '../../src/aws/deployment-outcome.js';

const OURS = 'ecs-svc/1111111111111111111';
const OLD = 'ecs-svc/2222222222222222222';
const TD = (rev: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/web:${rev}`;

function deployment(over: Partial<Deployment>): Deployment {
  return {
    id: OURS,
    status: 'PRIMARY',
    taskDefinition: TD(2),
    desiredCount: 4,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    ...over,
  };
}

function service(deployments: Deployment[], events: string[] = [], status = 'ACTIVE'): Service {
  return {
    serviceName: 'web',
    status,
    desiredCount: 4,
    deployments,
    events: events.map((message) => ({ message })),
  };
}

describe('judgeDeployment', () => {
  it('is in progress while old tasks still run beside ours', () => {
    const v = judgeDeployment(
      service([
        deployment({ runningCount: 2, pendingCount: 2 }),
        deployment({ id: OLD, status: 'ACTIVE', taskDefinition: TD(1), runningCount: 4 }),
      ]),
      OURS,
    );
    expect(v).toEqual({ state: 'in-progress', progress: { running: 2, desired: 4, pending: 2, failed: 0 } });
  });

  it('succeeds when ours is COMPLETED, alone, and running equals desired', () => {
    const v = judgeDeployment(service([deployment({ runningCount: 4, rolloutState: 'COMPLETED' })]), OURS);
    expect(v.state).toBe('succeeded');
  });

  it('does not call a completed rollout done while another deployment still drains', () => {
    const v = judgeDeployment(
      service([
        deployment({ runningCount: 4, rolloutState: 'COMPLETED' }),
        deployment({ id: OLD, status: 'ACTIVE', runningCount: 1 }),
      ]),
      OURS,
    );
    expect(v.state).toBe('in-progress');
  });

  it('fails when ECS marks our deployment FAILED', () => {
    const v = judgeDeployment(
      service([
        deployment({
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          failedTasks: 3,
        }),
      ]),
      OURS,
    );
    expect(v).toMatchObject({
      state: 'failed',
      reason: `ECS marked deployment ${OURS} as failed: ECS deployment circuit breaker: tasks failed to start.`,
    });
  });

  it('fails, saying ECS rolled back, while the circuit breaker rolls back', () => {
    const v = judgeDeployment(
      service([
        deployment({
          id: OLD,
          taskDefinition: TD(1),
          rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${OLD}.`,
        }),
        deployment({
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'tasks failed to start.',
        }),
      ]),
      OURS,
    );
    expect(v).toMatchObject({
      state: 'failed',
      reason: `ECS rolled back to web:1 (deployment ${OLD}): tasks failed to start.`,
      ecsRollback: { deploymentId: OLD, taskDefinition: TD(1) },
    });
  });

  it('fails, saying ECS rolled back, when the rollback already finished (stable is not success)', () => {
    const v = judgeDeployment(
      service(
        [deployment({ id: OLD, taskDefinition: TD(1), runningCount: 4, rolloutState: 'COMPLETED' })],
        [
          '(service web) has reached a steady state.',
          `(service web) (deployment ${OLD}) deployment completed.`,
          `(service web) rolling back to deployment ${OLD}.`,
          `(service web) (deployment ${OURS}) deployment failed: tasks failed to start.`,
        ],
      ),
      OURS,
    );
    expect(v).toMatchObject({
      state: 'failed',
      reason: `ECS rolled back to web:1 (deployment ${OLD}): (deployment ${OURS}) deployment failed: tasks failed to start`,
      ecsRollback: { deploymentId: OLD },
    });
  });

  it('reports superseded, not failed, when someone else deployed over ours', () => {
    const v = judgeDeployment(
      service([
        deployment({ id: OLD, taskDefinition: TD(3) }),
        deployment({ status: 'ACTIVE', runningCount: 1 }),
      ]),
      OURS,
    );
    expect(v).toMatchObject({
      state: 'superseded',
      reason: expect.stringMatching(/replaced deployment/),
      by: { deploymentId: OLD, taskDefinition: TD(3) },
    });
    // Ours already gone from the list: superseded all the same.
    expect(judgeDeployment(service([deployment({ id: OLD, taskDefinition: TD(3) })]), OURS)).toMatchObject({
      state: 'superseded',
      by: { deploymentId: OLD },
    });
  });

  it('fails at the failed-tasks threshold, and not before', () => {
    const s = (failedTasks: number) => service([deployment({ failedTasks })]);
    expect(judgeDeployment(s(1), OURS, { failedTasksThreshold: 2 }).state).toBe('in-progress');
    expect(judgeDeployment(s(2), OURS, { failedTasksThreshold: 2 })).toMatchObject({
      state: 'failed',
      reason: `2 tasks of deployment ${OURS} failed in a row (threshold 2)`,
    });
    expect(judgeDeployment(s(50), OURS).state).toBe('in-progress');
  });

  it('fails when the service is no longer active', () => {
    expect(judgeDeployment(service([deployment({})], [], 'DRAINING'), OURS)).toMatchObject({
      state: 'failed',
      reason: 'the service is DRAINING',
    });
  });
});

describe('circuitBreakerThreshold', () => {
  it.each([
    [1, 3],
    [4, 3],
    [7, 4],
    [10, 5],
    [1000, 200],
  ])('desired %i → %i', (desired, threshold) => {
    expect(circuitBreakerThreshold(desired)).toBe(threshold);
  });
});
