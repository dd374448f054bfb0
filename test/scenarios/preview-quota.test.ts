/**
 * A preview load balancer that has run out of rules (100 per load balancer) makes
 * `preview-up` fail with advice to sweep, and the pull request is told the same.
 */

import { CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { FakeGitHub } from '../github/fake-github.js';
import { buildPreviewEnvironment, clients, type PreviewEnvironment, runPreview } from './preview-support.js';
import { useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });
let github: FakeGitHub;
let env: PreviewEnvironment;

beforeAll(async () => {
  github = await FakeGitHub.start();
  env = await buildPreviewEnvironment(sim());
  const { elb } = clients(sim());
  // Someone else's rules fill the load balancer's quota.
  for (let i = 1; i <= 100; i++) {
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: env.listenerArn,
        Priority: 20_000 + i,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/filler-${i}`] } }],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '204' } }],
      }),
    );
  }
  elb.destroy();
}, 60_000);
afterAll(async () => {
  await github.stop();
});

it('out of listener rules: fails with advice to sweep, and says so on the pull request', async () => {
  const up = await runPreview(sim(), github, env, {
    command: 'preview-up',
    pr: 51,
    inputs: { images: env.sample.images.v2 },
  });
  expect(up.exitCode).toBe(1);
  expect(up.errors).toHaveLength(1);
  expect(up.errors[0]).toMatch(/quota of listener rules .*`command: preview-sweep`/);
  expect(github.commentsOn(51)[0]!.body).toContain('preview-sweep');
  expect(github.deploymentsOf('pr-51')[0]!.statuses.at(-1)!.state).toBe('failure');
}, 60_000);
