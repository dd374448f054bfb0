/**
 * The release lock under the timing a hostile operator produces: two releases of the same pair
 * started together while one run's lock write lands 2.5 s late, then a third release started
 * during the winner's bake. Exactly one run ever holds the lock; the others change nothing and
 * delete nothing, wait up to `lock-timeout`, and fail naming the holder's run. Client traffic
 * through the production listener sees no failure. Each run signs with its own access key, so
 * the simulator's call log tells whose calls changed what.
 */
import {
  CreateRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lockRuleInput, newToken } from '../../src/aws/lock-rule.js';
import type { RunResult } from '../harness/run-action.js';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  failedRequests,
  productionTraffic,
  productionWeights,
  releaseInputs,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

const runUrl = (id: string) => `https://github.com/example/app/actions/runs/${id}`;
const keyOf = (id: string) => `AKIARUN${id.padStart(13, '0')}`;

describe('the release lock', () => {
  let env: BlueGreenEnv;
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'auth');
  });
  afterAll(() => env.destroy());

  const release = (
    id: string,
    tag: string,
    extra: Record<string, string> = {},
    onOutput?: (stdout: string) => void,
  ): Promise<RunResult> =>
    runAgainst(sim(), {
      inputs: releaseInputs(env, tag, { 'lock-timeout': '1s', ...extra }),
      env: { GITHUB_RUN_ID: id, AWS_ACCESS_KEY_ID: keyOf(id), GITHUB_ACTOR: `user-${id}` },
      post: true,
      cancelWhen: onOutput
        ? (stdout) => {
            onOutput(stdout);
            return false;
          }
        : undefined,
    });
  const changesBy = (id: string) =>
    sim()
      .log.mutations()
      .filter((c) => c.accessKeyId === keyOf(id))
      .map((c) => c.operation);

  it('a lock write landing 2.5 s late still gives one holder; a third release during the bake waits and is refused', async () => {
    sim().log.clear();
    // The first lock write of either run lands 2.5 s after it was sent, whatever the lock is
    // made of: a tag write answers at once and lands later, a create answers when it landed.
    sim().faults.add({
      operation: 'TagResource',
      kind: 'lateEffect',
      effectDelayMs: 2500,
      answer: 'before',
      count: 1,
    });
    sim().faults.add({ operation: 'CreateRule', kind: 'lateEffect', effectDelayMs: 2500, count: 1 });
    const traffic = productionTraffic(env);
    let third: Promise<RunResult> | undefined;
    const startThird = (stdout: string) => {
      if (!third && /Bake \d/.test(stdout)) third = release('3003', 'v1');
    };
    const [a, b] = await Promise.all([
      release('1001', 'v2', { 'bake-time': '15s' }, startThird),
      release('2002', 'v2', { 'bake-time': '15s' }, startThird),
    ]);
    expect(third).toBeDefined();
    const c = await third!;
    const records = await traffic.stop();
    sim().faults.clear();

    const [winner, winnerId, loser, loserId] =
      a.exitCode === 0 ? [a, '1001', b, '2002'] : [b, '2002', a, '1001'];
    expect(winner.outputs).toMatchObject({ status: 'succeeded', 'live-color': 'green' });
    expect(loser.exitCode).toBe(1);
    expect(loser.outputs).toMatchObject({ status: 'refused', 'traffic-shifted': 'false' });
    expect(loser.errors[0]).toContain(runUrl(winnerId));
    expect(loser.stdout).not.toMatch(/lock taken/i);
    // The loser changed nothing and deleted nothing, not even in its post step.
    expect(changesBy(loserId)).toEqual([]);

    // The third release started while the winner baked: it waited, then was refused naming the winner.
    expect(c.exitCode).toBe(1);
    expect(c.outputs).toMatchObject({ status: 'refused', 'traffic-shifted': 'false' });
    expect(c.errors[0]).toContain(runUrl(winnerId));
    expect(c.errors[0]).toContain('user-');
    expect(changesBy('3003')).toEqual([]);

    expect(failedRequests(records)).toEqual([]);
    expect(await productionWeights(env)).toEqual({ blue: 0, green: 100 });
    expect(await desiredCounts(env)).toEqual({ blue: 0, green: 2 });
    // Released by its holder: no lock is left behind.
    const rules = await env.clients.elb.send(new DescribeRulesCommand({ ListenerArn: env.listenerArn }));
    expect(rules.Rules?.filter((r) => !r.IsDefault)).toEqual([]);
  }, 120_000);

  it('takes over the expired lock of a dead run, and the summary says so', async () => {
    // A run that died holding the lock: its rule is still there, its expiry long past.
    const dead = {
      token: newToken(),
      runUrl: runUrl('9009'),
      actor: 'user-9009',
      commit: '0123456789ab',
      scope: `${env.cluster}/auth-blue`,
      expiresAt: Date.now() - 60_000,
    };
    await env.clients.elb.send(new CreateRuleCommand(lockRuleInput(env.listenerArn, dead)));
    const rules = await env.clients.elb.send(new DescribeRulesCommand({ ListenerArn: env.listenerArn }));
    const deadRule = rules.Rules!.find((r) => !r.IsDefault)!;
    const deadTags = await env.clients.elb.send(
      new DescribeTagsCommand({ ResourceArns: [deadRule.RuleArn!] }),
    );
    expect(JSON.stringify(deadTags.TagDescriptions)).toContain(runUrl('9009'));

    const after = await release('5005', 'v1');
    expect(after.errors).toEqual([]);
    expect(after.outputs).toMatchObject({ status: 'succeeded', 'live-color': 'blue' });
    expect(after.summary).toContain(runUrl('9009'));
    expect(after.summary).toMatch(/expired/i);
  }, 120_000);
});
