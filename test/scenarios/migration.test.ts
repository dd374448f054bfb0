/**
 * Migrations before a release, as the reusable release workflow runs them: a `run-task` step
 * with the release's own settings and image, then — only if it succeeded, as the runner skips
 * later steps of a failed job — the deploy step. A migration that exits 0 lets the release
 * proceed on the very revision it ran; one that exits 1 fails before any service or traffic
 * change, with its exit code and log tail in the summary.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BlueGreenEnv, buildBlueGreen, productionWeights, releaseInputs } from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });
const DEPLOY_CHANGES = [
  'UpdateService',
  'CreateService',
  'ModifyListener',
  'ModifyRule',
  'RegisterScalableTarget',
];

describe('migration before a blue-green release', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'orders', { awslogs: true });
    sim().ecr.putImage('orders', 'v3');
  });
  afterAll(() => env.destroy());

  /** The deploy job's two steps: migrate, then (only after a success) deploy. */
  const release = async (tag: string, script: string) => {
    const first = sim().log.calls.length;
    const migrate = await runAgainst(sim(), {
      inputs: releaseInputs(env, tag, {
        command: 'run-task',
        'run-command': JSON.stringify(['sh', '-c', script]),
        'started-by': 'migrations',
      }),
    });
    const deploy =
      migrate.exitCode === 0
        ? await runAgainst(sim(), { inputs: releaseInputs(env, tag), post: true })
        : undefined;
    return { migrate, deploy, calls: sim().log.calls.slice(first) };
  };

  it('a migration that exits 0 lets the release proceed on the revision it ran', async () => {
    const { migrate, deploy, calls } = await release('v2', 'echo migrating orders to v2; echo done');
    expect(migrate.errors).toEqual([]);
    expect(migrate.outputs.status).toBe('succeeded');
    expect(migrate.summary).toContain('migrating orders to v2');
    expect(deploy?.outputs).toMatchObject({
      status: 'succeeded',
      'live-color': 'green',
      registered: 'false',
    });
    expect(deploy?.outputs['task-definition-arn']).toBe(migrate.outputs['task-definition-arn']);
    // The task ran in the pair's network before anything of the deploy changed.
    const runTask = calls.findIndex((c) => c.operation === 'RunTask');
    const firstChange = calls.findIndex((c) => DEPLOY_CHANGES.includes(c.operation));
    expect(runTask).toBeGreaterThanOrEqual(0);
    expect(runTask).toBeLessThan(firstChange);
    expect(calls[runTask]!.params).toMatchObject({
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } },
    });
    expect(await productionWeights(env)).toEqual({ blue: 0, green: 100 });
  });

  it('a migration that exits 1 fails the release before any service or traffic change', async () => {
    const before = await productionWeights(env);
    const { migrate, deploy, calls } = await release(
      'v3',
      'echo applying 0042_add_index; echo ERROR: duplicate key value violates unique constraint; exit 1',
    );
    expect(migrate.exitCode).toBe(1);
    expect(migrate.outputs.status).toBe('failed');
    expect(JSON.parse(migrate.outputs['exit-codes']!)).toEqual({ web: 1 });
    expect(migrate.errors.join('\n')).toContain('web exited with code 1');
    expect(migrate.summary).toMatch(/\| web \| yes \| 1 \|/);
    expect(migrate.summary).toContain('ERROR: duplicate key value violates unique constraint');
    expect(deploy).toBeUndefined();
    expect(calls.filter((c) => DEPLOY_CHANGES.includes(c.operation))).toEqual([]);
    expect(await productionWeights(env)).toEqual(before);
  });
});
