/**
 * Two pull requests brought up at the same moment both look for the lowest free rule
 * priority; the load balancer gives it to one and answers `PriorityInUse` to the other, which
 * chooses again. Both end with distinct priorities and both serve their own version.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { FakeGitHub } from '../github/fake-github.js';
import { request } from '../sim/elb/testing.js';
import {
  buildPreviewEnvironment,
  host,
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

it('two previews set up concurrently get distinct priorities and both serve', async () => {
  const [a, b] = await Promise.all([
    runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 21,
      inputs: { images: env.sample.images.v2 },
    }),
    runPreview(sim(), github, env, {
      command: 'preview-up',
      pr: 22,
      inputs: { images: env.sample.images.v3 },
    }),
  ]);
  expect(a.errors).toEqual([]);
  expect(b.errors).toEqual([]);
  expect(a.outputs['rule-priority']).not.toBe(b.outputs['rule-priority']);
  // Both started from the same free priority: the lowest of the default range.
  expect([a.outputs['rule-priority'], b.outputs['rule-priority']].sort()).toEqual(['1000', '1001']);

  const [r21, r22] = [await resourcesOf(sim(), env, 21), await resourcesOf(sim(), env, 22)];
  expect(r21.rules).toHaveLength(1);
  expect(r22.rules).toHaveLength(1);
  expect(versionOf((await request(`${env.listenerUrl}/`, { Host: host(21) })).body)).toBe('v2');
  expect(versionOf((await request(`${env.listenerUrl}/`, { Host: host(22) })).body)).toBe('v3');
  expect(github.commentsOn(21)).toHaveLength(1);
  expect(github.commentsOn(22)).toHaveLength(1);
}, 90_000);

it('a third preview takes the next free priority', async () => {
  const c = await runPreview(sim(), github, env, {
    command: 'preview-up',
    pr: 23,
    inputs: { images: env.sample.images.v2 },
  });
  expect(c.errors).toEqual([]);
  expect(c.outputs['rule-priority']).toBe('1002');
}, 60_000);

it('path routing: <domain>/pr-<n>/ reaches the preview through the same listener', async () => {
  const up = await runPreview(sim(), github, env, {
    command: 'preview-up',
    pr: 24,
    inputs: {
      images: env.sample.images.v3,
      'preview-routing': 'path',
      'smoke-tests': 'GET /health 200 json:version=v3',
    },
  });
  expect(up.errors).toEqual([]);
  expect(up.outputs['preview-url']).toBe('https://preview.example.com/pr-24/');
  expect(versionOf((await request(`${env.listenerUrl}/pr-24/`)).body)).toBe('v3');
  expect(versionOf((await request(`${env.listenerUrl}/pr-24`)).body)).toBe('v3');
  expect((await request(`${env.listenerUrl}/pr-240/`)).status).toBe(404);
}, 60_000);
