/**
 * A blue-green release whose deployment on the idle side another deployment replaced (an
 * operator forcing a new deployment of the idle service): superseded is not failed. The release
 * reports who replaced it, moves no traffic, and undoes nothing of the newer deployment: the
 * idle service keeps it, its tasks and its scaling bounds. It fails the step unless
 * "allow-superseded" says a superseded release is acceptable.
 */
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunResult } from '../harness/run-action.js';
import { type BlueGreenEnv, buildBlueGreen, productionWeights, releaseInputs } from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });
const keyOf = (id: string) => `AKIARUN${id.padStart(13, '0')}`;

describe('a superseded blue-green release', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'sup');
  }, 60_000);
  afterAll(() => env.destroy());

  /** A release during whose idle-side deployment an operator forces a new deployment of that side. */
  async function supersededRelease(id: string, extra: Record<string, string> = {}) {
    const green = `${env.name}-green`;
    const usual = sim().ecs.timings.pendingMs;
    // Our idle-side tasks are slow to pull, so the replacement lands while ours is under way.
    sim().ecs.timings.pendingMs = 30 * 60_000;
    let newer: Promise<{ id: string; taskDefinition: string }> | undefined;
    const result: RunResult = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2', extra),
      env: { GITHUB_RUN_ID: id, AWS_ACCESS_KEY_ID: keyOf(id) },
      post: true,
      cancelWhen: (stdout) => {
        if (!newer && new RegExp(`${green}: deploying .* \\(deployment ecs-svc/\\d+\\)`).test(stdout)) {
          sim().ecs.timings.pendingMs = usual;
          newer = env.clients.ecs
            .send(
              new UpdateServiceCommand({ cluster: env.cluster, service: green, forceNewDeployment: true }),
            )
            .then((out) => {
              const primary = out.service!.deployments!.find((d) => d.status === 'PRIMARY')!;
              return { id: primary.id!, taskDefinition: primary.taskDefinition! };
            });
        }
        return false;
      },
    });
    sim().ecs.timings.pendingMs = usual;
    return { result, newer: await newer!, green };
  }

  it('reports superseded with the newer deployment, moves no traffic and leaves the idle side to it', async () => {
    sim().log.clear();
    const { result, newer, green } = await supersededRelease('4004');
    expect(result.outputs.status).toBe('superseded');
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain(newer.id);
    expect(result.errors[0]).toContain(newer.taskDefinition.split('/').pop()!);
    expect(result.errors[0]).toContain('allow-superseded');
    expect(result.outputs['superseded-by']).toBe(newer.id);
    expect(result.outputs['traffic-shifted']).toBe('false');
    expect(result.outputs['rolled-back']).toBe('false');
    expect(result.summary).toMatch(/superseded/i);
    expect(result.summary).toContain(newer.id);
    // Production never moved, and nothing of the newer deployment was undone, by either step.
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    const ours = sim()
      .log.mutations()
      .filter((c) => c.accessKeyId === keyOf('4004'))
      .map((c) => c.operation);
    expect(ours.filter((op) => op === 'UpdateService')).toHaveLength(1);
    expect(ours).not.toContain('ModifyRule');
    expect(ours).not.toContain('ModifyListener');
    const service = sim().ecs.getService(env.cluster, green)!;
    const primary = service.deployments.find((d) => d.status === 'PRIMARY')!;
    expect(primary.id).toBe(newer.id);
    expect(service.desiredCount).toBeGreaterThan(0);
    expect(result.post?.stdout ?? '').not.toMatch(/undo .*sup-green/);
  }, 120_000);

  it('passes the step with allow-superseded, and still undoes nothing of the newer deployment', async () => {
    sim().log.clear();
    const { result, newer, green } = await supersededRelease('5005', { 'allow-superseded': 'true' });
    expect(result.outputs.status).toBe('superseded');
    expect(result.exitCode).toBe(0);
    expect(result.warnings.join('\n')).toContain(newer.id);
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    expect(
      sim()
        .ecs.getService(env.cluster, green)!
        .deployments.find((d) => d.status === 'PRIMARY')!.id,
    ).toBe(newer.id);
  }, 120_000);
});
