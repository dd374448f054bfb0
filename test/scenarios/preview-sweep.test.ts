/**
 * The sweep finds previews by their tags and removes those whose pull request is closed or
 * whose expiry passed; an open, unexpired one stays, and so does another repository's preview
 * on the same listener and cluster.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { FakeGitHub } from '../github/fake-github.js';
import { request } from '../sim/elb/testing.js';
import {
  buildPreviewEnvironment,
  host,
  isGone,
  type PreviewEnvironment,
  resourcesOf,
  runPreview,
  versionOf,
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

it('removes the closed and the expired preview, keeps the open one', async () => {
  const up = (pr: number, inputs: Record<string, string> = {}, repository?: string) =>
    runPreview(sim(), github, env, {
      command: 'preview-up',
      pr,
      inputs: { images: env.sample.images.v2, ...inputs },
      env: repository ? { GITHUB_REPOSITORY: repository } : undefined,
    });
  const ups = await Promise.all([
    up(31),
    up(32),
    up(33, { 'preview-ttl': '1s' }),
    // Another repository's preview on the same listener: not this sweep's to judge.
    up(34, { service: 'web', 'preview-ttl': '1s' }, 'other/app'),
  ]);
  for (const u of ups) expect(u.errors).toEqual([]);
  github.pulls.set(31, 'open');
  github.pulls.set(32, 'closed');
  github.pulls.set(33, 'open');
  github.pulls.set(34, 'closed');
  // Let PR 33's one-second expiry pass.
  await new Promise((resolve) => setTimeout(resolve, 1_500));

  const sweep = await runPreview(sim(), github, env, { command: 'preview-sweep' });
  expect(sweep.errors).toEqual([]);
  expect(sweep.exitCode).toBe(0);
  expect(JSON.parse(sweep.outputs.removed!)).toEqual(['web-pr-32', 'web-pr-33']);
  expect(sweep.summary).toContain('Removed 2 of 3 previews');
  expect(sweep.summary).toMatch(/web-pr-32 .*removed.*pull request closed/);
  expect(sweep.summary).toMatch(/web-pr-33 .*removed.*expired/);
  expect(sweep.summary).toMatch(/web-pr-31 .*kept/);

  expect(isGone(await resourcesOf(sim(), env, 32))).toBe(true);
  expect(isGone(await resourcesOf(sim(), env, 33))).toBe(true);
  expect((await resourcesOf(sim(), env, 31)).serviceStatus).toBe('ACTIVE');
  expect(versionOf((await request(`${env.listenerUrl}/`, { Host: host(31) })).body)).toBe('v2');
  expect((await resourcesOf(sim(), env, 34)).serviceStatus).toBe('ACTIVE');

  for (const pr of [32, 33]) {
    expect(github.commentsOn(pr)).toHaveLength(1);
    expect(github.commentsOn(pr)[0]!.body).toContain('Removed');
    expect(github.commentsOn(pr)[0]!.body).toContain(`~~https://pr-${pr}.preview.example.com~~`);
    for (const d of github.deploymentsOf(`pr-${pr}`)) expect(d.statuses.at(-1)!.state).toBe('inactive');
  }
  // Only the open, unexpired preview's pull request needed asking; the expired one did not.
  const asked = github.requests
    .filter((r) => r.method === 'GET' && /\/pulls\/\d+$/.test(r.path))
    .map((r) => r.path);
  expect(asked.sort()).toEqual(['/repos/example/app/pulls/31', '/repos/example/app/pulls/32']);

  // A second sweep finds only the open one and removes nothing.
  const again = await runPreview(sim(), github, env, { command: 'preview-sweep' });
  expect(JSON.parse(again.outputs.removed!)).toEqual([]);
}, 120_000);
