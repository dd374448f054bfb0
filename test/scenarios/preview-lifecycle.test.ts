/**
 * One pull request's whole life through the bundled action: opened (up), pushed to (update in
 * place), closed (down). A real HTTP request with the preview's host name goes through the
 * simulated shared listener after each step; the pull request keeps exactly one comment, edited.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeGitHub } from '../github/fake-github.js';
import { request } from '../sim/elb/testing.js';
import {
  buildPreviewEnvironment,
  DOMAIN,
  host,
  isGone,
  type PreviewEnvironment,
  resourcesOf,
  runPreview,
  serviceTags,
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

const SHA1 = '1'.repeat(40);
const SHA2 = '2'.repeat(40);

describe('preview of pull request 12: up, push, down', () => {
  let firstRule: { arn: string; priority: string } | undefined;

  it('comes up at pr-12.<domain> on the PR image, passes its smoke tests, and is announced', async () => {
    const result = await runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 12,
      sha: SHA1,
      inputs: { images: env.sample.images.v2, 'smoke-tests': 'GET /health 200 json:version=v2' },
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('ready');
    expect(result.outputs['preview-url']).toBe(`https://pr-12.${DOMAIN}`);
    expect(JSON.parse(result.outputs['smoke-results']!)).toEqual([expect.objectContaining({ ok: true })]);

    const reply = await request(`${env.listenerUrl}/`, { Host: host(12) });
    expect(reply.status).toBe(200);
    expect(versionOf(reply.body)).toBe('v2');
    // The base service is untouched; other host names get the listener's default answer.
    expect(versionOf((await request(`${env.sample.listenerUrl}/`)).body)).toBe('v1');
    expect((await request(`${env.listenerUrl}/`, { Host: host(13) })).status).toBe(404);

    const resources = await resourcesOf(sim(), env, 12);
    expect(resources.rules).toHaveLength(1);
    firstRule = resources.rules[0];

    const comments = github.commentsOn(12);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(`https://pr-12.${DOMAIN}`);
    expect(comments[0]!.body).toContain(SHA1.slice(0, 7));
    expect(comments[0]!.body).toContain('Ready');
    expect(comments[0]!.body).toContain('GET /health');
    const [deployment] = github.deploymentsOf('pr-12');
    expect(deployment).toMatchObject({
      ref: SHA1,
      transient_environment: true,
      production_environment: false,
    });
    expect(deployment!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(deployment!.statuses[1]!.environment_url).toBe(`https://pr-12.${DOMAIN}`);
  }, 90_000);

  it('a push updates the same service in place: same rule, same target group, new version', async () => {
    const before = await resourcesOf(sim(), env, 12);
    const tagsBefore = await serviceTags(sim(), env, 12);
    expect(tagsBefore).toMatchObject({
      'deploy-action:preview': 'web',
      'deploy-action:repository': 'example/app',
      'deploy-action:pull-request': '12',
      'deploy-action:commit': SHA1,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const result = await runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 12,
      sha: SHA2,
      inputs: { images: env.sample.images.v3, 'smoke-tests': 'GET / 200 json:version=v3' },
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs.status).toBe('ready');
    expect(versionOf((await request(`${env.listenerUrl}/`, { Host: host(12) })).body)).toBe('v3');

    const after = await resourcesOf(sim(), env, 12);
    expect(after.rules).toEqual([firstRule]);
    expect(after.targetGroup).toBe(before.targetGroup);
    expect(after.activeRevisions.length).toBe(before.activeRevisions.length + 1);
    // The commit and expiry follow the push; the creation time stays the first push's.
    const tagsAfter = await serviceTags(sim(), env, 12);
    expect(tagsAfter['deploy-action:commit']).toBe(SHA2);
    expect(tagsAfter['deploy-action:created']).toBe(tagsBefore['deploy-action:created']);
    expect(tagsAfter['deploy-action:expires']! > tagsBefore['deploy-action:expires']!).toBe(true);

    const comments = github.commentsOn(12);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.edits).toBeGreaterThanOrEqual(1);
    expect(comments[0]!.body).toContain(SHA2.slice(0, 7));
    expect(github.deploymentsOf('pr-12').map((d) => d.ref)).toEqual([SHA1, SHA2]);
  }, 90_000);

  it('down removes everything of pull request 12 and tells the pull request', async () => {
    const result = await runPreview(sim(), github, env, { command: 'preview-down', pr: 12, sha: SHA2 });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('removed');

    expect(isGone(await resourcesOf(sim(), env, 12))).toBe(true);
    expect((await request(`${env.listenerUrl}/`, { Host: host(12) })).status).toBe(404);
    // The base service still serves.
    expect(versionOf((await request(`${env.sample.listenerUrl}/`)).body)).toBe('v1');

    const comments = github.commentsOn(12);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Removed');
    expect(
      github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/12/comments')),
    ).toHaveLength(1);
    for (const d of github.deploymentsOf('pr-12')) expect(d.statuses.at(-1)!.state).toBe('inactive');

    // Down again: nothing left, still fine.
    const again = await runPreview(sim(), github, env, { command: 'preview-down', pr: 12, sha: SHA2 });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('Nothing was left to remove');
  }, 90_000);

  it('reopened right after the close: comes up again once the old service finished draining', async () => {
    const up = await runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 12,
      sha: SHA2,
      inputs: { images: env.sample.images.v2 },
    });
    expect(up.errors).toEqual([]);
    expect(versionOf((await request(`${env.listenerUrl}/`, { Host: host(12) })).body)).toBe('v2');
    expect(github.commentsOn(12)).toHaveLength(1);
    const down = await runPreview(sim(), github, env, { command: 'preview-down', pr: 12, sha: SHA2 });
    expect(down.errors).toEqual([]);
    expect(isGone(await resourcesOf(sim(), env, 12))).toBe(true);
  }, 90_000);

  it('sends the GitHub token to GitHub only, and masks it in the log', async () => {
    const token = 'ghs_faketoken000000000000000000000000';
    expect(github.requests.every((r) => r.authorization === `token ${token}`)).toBe(true);
    const result = await runPreview(sim(), github, env, { command: 'preview-down', pr: 12 });
    const lines = result.stdout.split('\n').filter((l) => l.includes(token));
    expect(lines).toEqual([`::add-mask::${token}`]);
  }, 30_000);
});
