/**
 * No environment value reaches any output of the bundled action: not the log, the job summary,
 * the outputs, the saved state or the post step — in a dry run (which prints the task-definition
 * diff) or a real deploy. The only place a value appears is the runner's `::add-mask::` command,
 * which the runner consumes to mask it everywhere else.
 */
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunResult } from '../harness/run-action.js';
import { ecsClient } from '../sim/ecs/testing.js';
import { FAST, type LiveService, liveService } from './rolling-support.js';
import { runAgainst, useSimulator, workspace } from './support.js';

const sim = useSimulator({ timeScale: 600 });

const VALUES = {
  DB_PASSWORD: 'hunter2-correct-horse',
  DATABASE_URL: 'postgres://app:pa55-w0rd-xyz@db.internal:5432/app',
  STRIPE_KEY: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  // Not secret-looking at all: still never printed, only its name and whether it changed.
  FEATURE_FLAGS: 'checkout-v2,fast-search=on',
};
const environmentVariables = Object.entries(VALUES)
  .map(([k, v]) => `${k}=${v}`)
  .join('\n');

/** Every text the run produced, without the mask commands the runner consumes. */
function everything(result: RunResult): string {
  const log = `${result.stdout}\n${result.stderr}\n${result.post?.stdout ?? ''}\n${result.post?.stderr ?? ''}`
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  return [
    log,
    result.summary,
    result.postSummary ?? '',
    JSON.stringify(result.outputs),
    JSON.stringify(result.state),
  ].join('\n');
}

describe('environment values in outputs', () => {
  let ecs: ECSClient;
  let live: LiveService;
  beforeAll(async () => {
    ecs = ecsClient(sim());
    live = await liveService(sim(), ecs, { cluster: 'prod', service: 'vault' });
  });
  afterAll(() => ecs.destroy());

  it('a dry run shows the variables by name and as changed, never a value', async () => {
    const result = await runAgainst(sim(), {
      inputs: {
        cluster: 'prod',
        service: 'vault',
        images: `${live.repo}:v2`,
        'environment-variables': environmentVariables,
        'dry-run': 'true',
        ...FAST,
      },
      post: true,
    });
    expect(result.errors).toEqual([]);
    const all = everything(result);
    for (const name of Object.keys(VALUES)) expect(all).toContain(name);
    expect(all).toContain('(value hidden)');
    for (const value of Object.values(VALUES)) expect(all).not.toContain(value);
    // Parts of values, too (a comma or `=` must not split one into printable pieces).
    for (const part of ['hunter2', 'pa55-w0rd', 'fast-search']) expect(all).not.toContain(part);
    // The secret-looking ones were handed to the runner to mask.
    const masked = result.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
    for (const value of [VALUES.DB_PASSWORD, VALUES.STRIPE_KEY, 'pa55-w0rd-xyz']) {
      expect(masked).toContain(`::add-mask::${value}`);
    }
  });

  it('with diff-environment-values, a dry run shows plain values, never secret-looking ones', async () => {
    const result = await runAgainst(sim(), {
      inputs: {
        cluster: 'prod',
        service: 'vault',
        images: `${live.repo}:v2`,
        'environment-variables': environmentVariables,
        'diff-environment-values': 'true',
        'dry-run': 'true',
        ...FAST,
      },
    });
    expect(result.errors).toEqual([]);
    const all = everything(result);
    expect(all).toContain(VALUES.FEATURE_FLAGS);
    for (const value of [VALUES.DB_PASSWORD, VALUES.DATABASE_URL, VALUES.STRIPE_KEY]) {
      expect(all).not.toContain(value);
    }
    for (const part of ['hunter2', 'pa55-w0rd']) expect(all).not.toContain(part);
  });

  it('masks secret-looking values that come from the config file, not only from inputs', async () => {
    const ws = workspace({
      'deploy.yml':
        'cluster: prod\nservice: vault\nenvironment-variables:\n  SESSION_SECRET: from-the-config-file-42\n',
    });
    const result = await runAgainst(sim(), {
      workspace: ws,
      inputs: { config: 'deploy.yml', images: `${live.repo}:v2`, 'dry-run': 'true', ...FAST },
    });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain('::add-mask::from-the-config-file-42');
    expect(everything(result)).not.toContain('from-the-config-file-42');
  });

  it('a real deploy registers the values and prints none of them', async () => {
    const result = await runAgainst(sim(), {
      inputs: {
        cluster: 'prod',
        service: 'vault',
        images: `${live.repo}:v2`,
        'environment-variables': environmentVariables,
        ...FAST,
      },
      post: true,
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const all = everything(result);
    for (const value of Object.values(VALUES)) expect(all).not.toContain(value);
    for (const part of ['hunter2', 'pa55-w0rd', 'fast-search']) expect(all).not.toContain(part);

    // The values themselves reached ECS intact (one per line: commas and `=` kept).
    const { taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: result.outputs['task-definition-arn']! }),
    );
    const env = Object.fromEntries(
      (taskDefinition!.containerDefinitions![0]!.environment ?? []).map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject(VALUES);
  });
});
