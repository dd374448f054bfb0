/**
 * A pull request number or domain that would make an invalid AWS name or listener rule is
 * refused before any AWS call (and before any GitHub call), with the input named and the
 * expected form shown. The simulator's call log and the fake GitHub prove nothing was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeGitHub } from '../github/fake-github.js';
import { pullRequestEvent } from './preview-support.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator();
let github: FakeGitHub;
beforeAll(async () => {
  github = await FakeGitHub.start();
});
afterAll(async () => {
  await github.stop();
});

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/preview/0123456789abcdef/0123456789abcdef';
/** 119 characters of valid DNS labels: fine alone, too long behind `pr-123456789.`. */
const LONG_DOMAIN = `${'a'.repeat(60)}.${'b'.repeat(50)}.example`;

const cases: { name: string; inputs?: Record<string, string>; event?: number; error: RegExp }[] = [
  {
    name: 'a pull request number that is not a number',
    inputs: { 'pull-request': '12abc' },
    error: /Input "pull-request" is invalid \("12abc"\).*Expected: a pull request number such as `12`/,
  },
  {
    name: 'pull request 0',
    inputs: { 'pull-request': '0' },
    error: /Input "pull-request" is invalid \("0"\)/,
  },
  {
    name: 'an event whose pull request number cannot make a name',
    event: 12_345_678_901,
    error: /pull request number \(12345678901\) is not usable.*Expected: a whole number 1 to 999999999/,
  },
  {
    name: 'no pull request at all (not a pull_request event, no input)',
    error: /Input "pull-request" is required when the workflow was not started by a pull_request event/,
  },
  {
    name: 'a domain with characters a host name cannot have',
    inputs: { 'pull-request': '12', 'preview-domain': 'preview_env.example.com' },
    error:
      /Input "preview-domain" is invalid \("preview_env\.example\.com"\).*Expected: previews: the domain previews live under/,
  },
  {
    name: 'a domain that makes the host longer than a host-header condition allows',
    inputs: { 'pull-request': '123456789', 'preview-domain': LONG_DOMAIN },
    error:
      /Input "preview-domain": the preview host "pr-123456789\.a+.*" would be 132 characters \(an ALB host-header condition allows 128\)/,
  },
  {
    name: 'a base service name that makes the preview service name too long',
    inputs: { 'pull-request': '12345678', service: 's'.repeat(250) },
    error: /Input "service": the preview service name .* would be 262 characters \(ECS allows 255\)/,
  },
  {
    name: 'a priority range outside 1-50000',
    inputs: { 'pull-request': '12', 'preview-priority-range': '0-100' },
    error: /Input "preview-priority-range" is invalid .*Expected: previews: the listener rule priorities/,
  },
  {
    name: 'no preview listener',
    inputs: { 'pull-request': '12', 'preview-listener': '' },
    error: /Input "preview-listener" is required for command "preview-up"/,
  },
];

describe('preview-up refuses bad names and routes before any AWS call', () => {
  it.each(cases)(
    '$name',
    async ({ inputs, event, error }) => {
      sim().log.clear();
      const before = github.requests.length;
      const result = await runAgainst(sim(), {
        inputs: {
          command: 'preview-up',
          cluster: 'demo',
          service: 'web',
          'preview-listener': LISTENER,
          'preview-domain': 'preview.example.com',
          'github-token': 'ghs_faketoken000000000000000000000000',
          ...inputs,
        },
        env: {
          ...github.env(),
          GITHUB_EVENT_NAME: event ? 'pull_request' : 'push',
          ...(event ? { GITHUB_EVENT_PATH: pullRequestEvent(event, 'a'.repeat(40)) } : {}),
        },
      });
      expect(result.exitCode).toBe(1);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(error);
      expect(sim().log.count()).toBe(0);
      expect(github.requests.length).toBe(before);
    },
    30_000,
  );
});
