/**
 * A `preview-up` that fails half-way leaves what it made so far; `preview-down` removes all of
 * it. Two ways to fail: an image tag that is not in ECR (target group and rule exist, no
 * service), and an image that crash-loops (everything exists, nothing healthy). The pull
 * request is told why in both cases.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeGitHub } from '../github/fake-github.js';
import {
  buildPreviewEnvironment,
  isGone,
  type PreviewEnvironment,
  resourcesOf,
  runPreview,
} from './preview-support.js';
import { useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });
let github: FakeGitHub;
let env: PreviewEnvironment;

beforeAll(async () => {
  github = await FakeGitHub.start();
  env = await buildPreviewEnvironment(sim());
}, 60_000);
afterAll(async () => {
  await github.stop();
});

describe('down after an up that failed half-way', () => {
  it('image missing from ECR: up fails after the target group and rule; down removes them', async () => {
    const up = await runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 41,
      inputs: { images: `${env.sample.repositoryUri}:no-such-tag` },
    });
    expect(up.exitCode).toBe(1);
    expect(up.outputs.status).toBe('failed');
    expect(up.errors.join('\n')).toContain('no-such-tag');
    const left = await resourcesOf(sim(), env, 41);
    expect(left.rules).toHaveLength(1);
    expect(left.targetGroup).toBeDefined();
    expect(left.serviceStatus).toBeUndefined();

    const comment = github.commentsOn(41)[0]!;
    expect(comment.body).toContain('Failed');
    expect(comment.body).toContain('no-such-tag');
    const statuses = github.deploymentsOf('pr-41')[0]!.statuses;
    expect(statuses.at(-1)).toMatchObject({ state: 'failure' });
    expect(statuses.at(-1)!.description).toContain('no-such-tag');

    const down = await runPreview(sim(), github, env, { command: 'preview-down', pr: 41 });
    expect(down.errors).toEqual([]);
    expect(isGone(await resourcesOf(sim(), env, 41))).toBe(true);
  }, 60_000);

  it('crash-looping image: up fails with the reason; down removes rule, service, target group and revisions', async () => {
    const up = await runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 42,
      inputs: { images: env.sample.images.crash, timeout: '30s' },
    });
    expect(up.exitCode).toBe(1);
    expect(up.outputs.status).toBe('failed');
    expect(up.errors.join('\n')).toMatch(/did not become healthy/);
    const left = await resourcesOf(sim(), env, 42);
    expect(left.rules).toHaveLength(1);
    expect(left.serviceStatus).toBe('ACTIVE');
    expect(left.targetGroup).toBeDefined();
    expect(left.activeRevisions).toHaveLength(1);
    expect(github.commentsOn(42)[0]!.body).toContain('did not become healthy');

    const down = await runPreview(sim(), github, env, { command: 'preview-down', pr: 42 });
    expect(down.errors).toEqual([]);
    expect(isGone(await resourcesOf(sim(), env, 42))).toBe(true);
    expect(github.commentsOn(42)).toHaveLength(1);
    expect(github.commentsOn(42)[0]!.body).toContain('Removed');
  }, 90_000);
});
