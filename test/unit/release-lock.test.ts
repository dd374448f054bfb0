import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { type LockHolder, lockTags } from '../../src/aws/lock-rule.js';
import { acquireListenerLock, releaseLockOf } from '../../src/release/lock.js';

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/0123456789abcdef/fedcba9876543210';
const RULE = (id: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/0123456789abcdef/fedcba9876543210/${id}`;
const me = { runUrl: 'https://github.com/example/app/actions/runs/1', actor: 'me', commit: 'abc' };
const other = (expiresAt: number): LockHolder => ({
  token: 'their-token',
  runUrl: 'https://github.com/example/app/actions/runs/2',
  actor: 'them',
  commit: 'def',
  scope: 'prod/shop',
  expiresAt,
});
const inUse = () => Object.assign(new Error('Priority in use'), { name: 'PriorityInUseException' });

const elbMock = mockClient(ElasticLoadBalancingV2Client);
const elb = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
afterEach(() => {
  elbMock.reset();
});

/** The rule at the lock priority and its tags, as DescribeRules / DescribeTags answer. */
function standing(ruleArn: string, holder: LockHolder | undefined) {
  elbMock.on(DescribeRulesCommand).resolves({ Rules: [{ RuleArn: ruleArn, Priority: '50000' }] });
  elbMock
    .on(DescribeTagsCommand)
    .resolves({ TagDescriptions: [{ ResourceArn: ruleArn, Tags: holder ? lockTags(holder) : [] }] });
}

const options = (over: Partial<Parameters<typeof acquireListenerLock>[5]> = {}) => {
  const lines: string[] = [];
  let clock = 1_000_000;
  return {
    lines,
    opts: {
      timeoutMs: 3_000,
      ttlMs: 300_000,
      pollMs: 1_000,
      log: (l: string) => lines.push(l),
      warn: (l: string) => lines.push(`warn: ${l}`),
      now: () => clock,
      // A sleep that advances the virtual clock instead of waiting.
      ...over,
    },
    tick: (ms: number) => {
      clock += ms;
    },
  };
};

describe('the release lock', () => {
  it('is taken by the first creator', async () => {
    elbMock.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: RULE('mine') }] });
    const { opts } = options();
    const lock = await acquireListenerLock(elb, LISTENER, 'prod/shop', me, 'my-token', opts);
    lock.stopRenewing();
    expect(lock.ruleArn).toBe(RULE('mine'));
    const input = elbMock.commandCalls(CreateRuleCommand)[0]!.args[0].input;
    expect(input.Priority).toBe(50_000);
    expect(input.Tags).toContainEqual({ Key: 'deploy-action:lock:run', Value: me.runUrl });
  });

  it('is ours when a create landed but answered 500 and the retry met our own rule', async () => {
    const server = Object.assign(new Error('boom'), {
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
    elbMock.on(CreateRuleCommand).rejects(server);
    standing(RULE('mine'), { ...other(Date.now() + 60_000), token: 'my-token' });
    const { opts, lines } = options();
    const lock = await acquireListenerLock(elb, LISTENER, 'prod/shop', me, 'my-token', opts);
    lock.stopRenewing();
    expect(lock.ruleArn).toBe(RULE('mine'));
    expect(lines.join('\n')).toMatch(/InternalFailure.*reading who holds it/);
    expect(elbMock.commandCalls(DeleteRuleCommand)).toHaveLength(0);
  });

  it('waits for a live holder up to the timeout, then fails naming it, deleting nothing', async () => {
    elbMock.on(CreateRuleCommand).rejects(inUse());
    standing(RULE('theirs'), other(Date.UTC(2100, 0, 1)));
    const { opts, lines } = options({ timeoutMs: 0 });
    await expect(acquireListenerLock(elb, LISTENER, 'prod/shop', me, 'my-token', opts)).rejects.toThrow(
      /Another release holds the release lock: run https:\/\/github.com\/example\/app\/actions\/runs\/2 by them/,
    );
    expect(elbMock.commandCalls(DeleteRuleCommand)).toHaveLength(0);
    expect(lines).toEqual([]);
  });

  it('takes over an expired lock by deleting exactly the rule it read', async () => {
    let created = 0;
    elbMock.on(CreateRuleCommand).callsFake(() => {
      created++;
      if (created === 1) throw inUse();
      return { Rules: [{ RuleArn: RULE('mine') }] };
    });
    standing(RULE('dead'), other(0));
    elbMock.on(DeleteRuleCommand).resolves({});
    const { opts, lines } = options();
    const lock = await acquireListenerLock(elb, LISTENER, 'prod/shop', me, 'my-token', opts);
    lock.stopRenewing();
    expect(lock.tookOver?.runUrl).toBe('https://github.com/example/app/actions/runs/2');
    expect(elbMock.commandCalls(DeleteRuleCommand).map((c) => c.args[0].input.RuleArn)).toEqual([
      RULE('dead'),
    ]);
    expect(lines.join('\n')).toMatch(/Taking over the expired release lock/);
  });

  it('waits while a live holder has it, saying whom it waits for, and takes it once free', async () => {
    let created = 0;
    elbMock.on(CreateRuleCommand).callsFake(() => {
      created++;
      if (created < 3) throw inUse();
      return { Rules: [{ RuleArn: RULE('mine') }] };
    });
    standing(RULE('theirs'), other(Date.UTC(2100, 0, 1)));
    const lines: string[] = [];
    const lock = await acquireListenerLock(elb, LISTENER, 'prod/shop', me, 'my-token', {
      timeoutMs: 5_000,
      ttlMs: 300_000,
      pollMs: 10,
      log: (l) => lines.push(l),
      warn: (l) => lines.push(l),
    });
    lock.stopRenewing();
    expect(created).toBe(3);
    expect(lines).toEqual([
      expect.stringMatching(
        /^Waiting for the release lock, held by run https:\/\/github.com\/example\/app\/actions\/runs\/2 by them/,
      ),
    ]);
  });

  it('refuses when the priority is taken by a rule that is not a lock', async () => {
    elbMock.on(CreateRuleCommand).rejects(inUse());
    standing(RULE('user'), undefined);
    const { opts } = options();
    await expect(acquireListenerLock(elb, LISTENER, 'prod/shop', me, 'my-token', opts)).rejects.toThrow(
      /not a release lock/,
    );
  });

  it('is released only by its holder', async () => {
    standing(RULE('theirs'), other(Date.UTC(2100, 0, 1)));
    elbMock.on(DeleteRuleCommand).resolves({});
    expect(await releaseLockOf(elb, LISTENER, 'my-token')).toBe(false);
    expect(await releaseLockOf(elb, LISTENER, 'their-token')).toBe(true);
    expect(elbMock.commandCalls(DeleteRuleCommand).map((c) => c.args[0].input.RuleArn)).toEqual([
      RULE('theirs'),
    ]);
  });

  it('verify fails once the rule names another run', async () => {
    elbMock.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: RULE('mine') }] });
    const { opts } = options();
    const lock = await acquireListenerLock(elb, LISTENER, 'prod/shop', me, 'my-token', opts);
    lock.stopRenewing();
    standing(RULE('mine'), other(Date.UTC(2100, 0, 1)));
    await expect(lock.verify()).rejects.toThrow(/no longer held by this run/);
  });
});
