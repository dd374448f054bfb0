import { describe, expect, it } from '@jest/globals';
import { deployOutputs } from '../../src/commands/deploy.js';
import { deploySummary, failureMessage, overallStatus } from '../../src/report/deploy-summary.js';
import type { ServiceOutcome } from '../../src/strategies/rolling/deploy.js';

const TD = (family: string, rev: number) =>
  `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${rev}`;

function outcome(service: string, over: Partial<ServiceOutcome> = {}): ServiceOutcome {
  return {
    target: {
      cluster: 'prod',
      service,
      taskDefinition: { kind: 'service' },
      overrides: { images: [], environment: [], secrets: [] },
    },
    prepared: {
      arn: TD(service, 2),
      family: service,
      revision: 2,
      registered: true,
      diff: '',
      baselineLabel: `${service}:1`,
      images: [
        {
          container: 'web',
          image: `repo/${service}@sha256:${'a'.repeat(64)}`,
          digest: `sha256:${'a'.repeat(64)}`,
        },
      ],
      previousArn: TD(service, 1),
      definition: { family: service, containerDefinitions: [] },
    } as ServiceOutcome['prepared'],
    status: 'succeeded',
    deploymentId: `ecs-svc/${service}`,
    startedAt: 0,
    finishedAt: 61_000,
    ...over,
  };
}

const crashed: Partial<ServiceOutcome> = {
  status: 'rolled-back',
  reason: 'ECS rolled back to api:1 (deployment ecs-svc/old)',
  rollback: { by: 'ecs', deploymentId: 'ecs-svc/old', taskDefinitionArn: TD('api', 1), outcome: 'completed' },
  diagnosis: {
    stoppedTasks: [
      {
        taskId: 't1',
        stoppedReason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        containers: [{ name: 'web', exitCode: 1 }],
      },
      {
        taskId: 't2',
        stoppedReason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        containers: [{ name: 'web', exitCode: 1 }],
      },
    ],
    healthCheckEvents: [],
    lastEvents: ['(service api) rolling back to deployment ecs-svc/old.'],
  },
};

describe('deploy report', () => {
  it('sets single-service outputs from the first service and every service in results', () => {
    const outputs = deployOutputs([outcome('web'), outcome('api', crashed)]);
    expect(outputs).toMatchObject({
      status: 'rolled-back',
      'deployment-id': 'ecs-svc/web',
      'previous-task-definition-arn': TD('web', 1),
      'rolled-back': 'true',
    });
    expect(JSON.parse(outputs.results!)).toEqual([
      expect.objectContaining({
        service: 'web',
        status: 'succeeded',
        'rolled-back': false,
        'duration-ms': 61_000,
      }),
      expect.objectContaining({
        service: 'api',
        status: 'rolled-back',
        'rolled-back': true,
        'rolled-back-by': 'ecs',
      }),
    ]);
  });

  it('writes one failure message: the service, why, each distinct stop reason once, the rollback', () => {
    expect(failureMessage([outcome('web'), outcome('api', crashed)])).toBe(
      [
        'Deploy failed for 1 of 2 services (api).',
        'api: ECS rolled back to api:1 (deployment ecs-svc/old).',
        '  task t1: Essential container in task exited (EssentialContainerExited); container web, exit code 1',
        '  Rollback: ECS rolled back to api:1 (completed).',
      ].join('\n'),
    );
    expect(failureMessage([outcome('web')])).toBeUndefined();
  });

  it('calls a partly rolled back, partly failed run failed', () => {
    expect(overallStatus([outcome('a', crashed), outcome('b', { status: 'failed' })])).toBe('failed');
    expect(overallStatus([outcome('a', { status: 'dry-run' })])).toBe('dry-run');
  });

  it('puts the outcome first, then services, images with digests, phases and the reasons', () => {
    const summary = deploySummary(
      [outcome('web'), outcome('api', crashed)],
      [
        { name: 'Register task definitions', startedAt: 1000, durationMs: 200, ok: true },
        { name: 'Watch deployments', startedAt: 1200, durationMs: 61_000, ok: true },
      ],
    );
    const order = [
      '❌ Deploy failed: 1 of 2 services deployed',
      '### Services',
      '### Images',
      '### Phases',
      '### Why it failed',
    ];
    const positions = order.map((s) => summary.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(summary).toContain(`\`sha256:${'a'.repeat(64)}\``);
    expect(summary).toContain('| Watch deployments | +200ms | 1m1s |');
    expect(summary).toContain('```mermaid\ngantt');
  });
});
