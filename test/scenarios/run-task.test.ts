/**
 * `command: run-task` through the bundled action against the simulator: a one-off task (a
 * migration) from the rendered definition, placed in the service's network, with its command
 * and environment overridden; its exit code, stop reason and log tail in the outputs and the
 * summary; a cancelled job stops it; bad input starts nothing.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSteadyService, ecsClient } from '../sim/ecs/testing.js';
import { runAgainst, useSimulator, workspace } from './support.js';

const sim = useSimulator({ timeScale: 600 });
const GROUP = '/ecs/shop';

/** The one summary builder's shape: title, then the outcome, then why; no empty header cell. */
function expectBuilderShape(summary: string, outcome: RegExp, why?: RegExp) {
  const paragraphs = summary.split('\n\n');
  expect(paragraphs[0]).toBe('## One-off task');
  expect(paragraphs[1]).toMatch(outcome);
  if (why) expect(paragraphs[2]).toMatch(why);
  expect(summary).toContain('### Services');
  for (const header of summary.split('\n').filter((_line, i, all) => all[i + 1]?.startsWith('| ---'))) {
    expect(
      header
        .split('|')
        .slice(1, -1)
        .filter((cell) => cell.trim() === ''),
    ).toEqual([]);
  }
}

describe('run-task', () => {
  let ecs: ECSClient;
  let repo: string;
  const taskDefinition = () => ({
    family: 'shop',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'web',
        image: `${repo}:v1`,
        essential: true,
        portMappings: [{ containerPort: 8080 }],
        environment: [{ name: 'STAGE', value: 'production' }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': GROUP, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'shop' },
        },
      },
    ],
  });
  const run = (inputs: Record<string, string>, extra: Parameters<typeof runAgainst>[1] = {}) =>
    runAgainst(sim(), {
      workspace: workspace({ 'td.json': taskDefinition() }),
      ...extra,
      inputs: {
        command: 'run-task',
        cluster: 'jobs',
        service: 'shop',
        'task-definition': 'td.json',
        images: `web=${repo}:v2`,
        'poll-interval': '100ms',
        timeout: '60s',
        ...inputs,
      },
    });

  beforeAll(async () => {
    ecs = ecsClient(sim());
    repo = sim().ecr.putImage('shop', 'v1').repositoryUri;
    sim().ecr.putImage('shop', 'v2');
    sim().logs.ensureLogGroup(GROUP);
    const { RegisterTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
    const td = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition() as never));
    await createSteadyService(sim(), ecs, {
      cluster: 'jobs',
      service: 'shop',
      taskDefinition: td.taskDefinition!.taskDefinitionArn!,
      desiredCount: 1,
    });
  });
  afterAll(() => ecs.destroy());

  it('runs the new revision with the overridden command and environment in the service network; exit 0 succeeds', async () => {
    const first = sim().log.calls.length;
    const result = await run({
      'run-command': '["sh", "-c", "echo migrating $STAGE to $TARGET; sleep 30; echo 3 migrations applied"]',
      'run-environment': 'TARGET=v2',
      'started-by': 'migrations',
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('succeeded');
    expect(JSON.parse(result.outputs['exit-codes']!)).toEqual({ web: 0 });
    const runTask = sim()
      .log.calls.slice(first)
      .find((c) => c.operation === 'RunTask')!;
    expect(runTask.params).toMatchObject({
      cluster: 'jobs',
      taskDefinition: result.outputs['task-definition-arn'],
      startedBy: 'migrations',
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
      },
      overrides: {
        containerOverrides: [
          {
            name: 'web',
            command: ['sh', '-c', 'echo migrating $STAGE to $TARGET; sleep 30; echo 3 migrations applied'],
            environment: [{ name: 'TARGET', value: 'v2' }],
          },
        ],
      },
    });
    // The registered revision runs the new image, pinned by digest.
    const task = sim().ecs.state.tasks.get(result.outputs['task-arn']!)!;
    expect(task.containers[0]!.image).toMatch(/shop@sha256:/);
    expect(result.summary).toContain('Succeeded');
    expect(result.summary).toContain('migrating production to v2');
    expect(result.summary).toContain('3 migrations applied');
    expectBuilderShape(
      result.summary,
      /^✅ \*\*Succeeded\*\*: task `[0-9a-f]+` of \*\*shop:\d+\*\* exited 0\.$/,
    );
    expect(result.stdout).toContain('migrating production to v2');
    // Nothing is left for the post step: the task is over.
    expect(result.post?.stdout ?? '').not.toContain('stopped');
  });

  it('fails on a non-zero exit code, with the code, the stop reason and the log tail in the summary', async () => {
    const result = await run({
      'run-command':
        '["sh", "-c", "echo applying 0042_add_index; echo ERROR: relation orders_idx already exists; exit 1"]',
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    expect(JSON.parse(result.outputs['exit-codes']!)).toEqual({ web: 1 });
    expect(result.errors.join('\n')).toContain('web exited with code 1');
    expect(result.summary).toMatch(/\| web \| yes \| 1 \|/);
    expect(result.summary).toContain('Essential container in task exited');
    expect(result.summary).toContain('ERROR: relation orders_idx already exists');
    expect(result.summary).toContain(`shop/web/${result.outputs['task-arn']!.split('/').pop()}`);
    expectBuilderShape(result.summary, /^❌ \*\*Failed\*\*/, /^\*\*Why:\*\* .*web exited with code 1/);
    expect(result.summary).toMatch(/### Stopped reason\n\nEssential container in task exited/);
    expect(result.summary).toContain('### Log tail');
  });

  it('stops the task when the job is cancelled', async () => {
    const first = sim().log.calls.length;
    const result = await run(
      { 'run-command': '["sh", "-c", "echo long migration; sleep 3600"]' },
      { cancelWhen: (out) => /: RUNNING/.test(out), post: true },
    );
    expect(result.cancelledAtMs).toBeDefined();
    expect(result.outputs.status).toBe('cancelled');
    const stop = sim()
      .log.calls.slice(first)
      .find((c) => c.operation === 'StopTask');
    expect(stop?.params).toMatchObject({ cluster: 'jobs', task: result.outputs['task-arn'] });
    const arn = String(stop!.params.task);
    await sim().ecs.waitFor(() => sim().ecs.state.tasks.get(arn)?.lastStatus === 'STOPPED');
    expect(sim().ecs.state.tasks.get(arn)!.stopCode).toBe('UserInitiated');
    expect(result.summary).toContain('Cancelled');
    expectBuilderShape(result.summary, /^🛑 \*\*Cancelled\*\*/, /^\*\*Why:\*\* /);
  });

  it('refuses a task without a service or subnets, and a bare-number timeout, before any AWS call', async () => {
    const first = sim().log.calls.length;
    const noPlace = await run({ service: '' });
    expect(noPlace.exitCode).toBe(1);
    expect(noPlace.errors.join('\n')).toMatch(
      /Input "service" is required for command "run-task" unless "subnets" is set/,
    );
    const bare = await run({ timeout: '15' });
    expect(bare.errors.join('\n')).toMatch(/did you mean `15m`\?/);
    const badCommand = await run({ 'run-command': '["sh", 1' });
    expect(badCommand.errors.join('\n')).toMatch(/Input "run-command" is invalid/);
    expect(sim().log.calls.slice(first)).toEqual([]);
  });
});
