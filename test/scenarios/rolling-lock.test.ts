/**
 * The release lock of a rolling deploy behind a load balancer: a run that died holding it left
 * its lock rule behind, long expired. The next deploy takes it over, and its job summary says
 * whose expired lock it took, as a blue-green release's does.
 */
import {
  CreateRuleCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lockRuleInput, newToken } from '../../src/aws/lock-rule.js';
import { clientConfig } from '../sim/ecs/testing.js';
import { buildSampleEnvironment, type SampleEnvironment } from '../sim/sample.js';
import { FAST } from './rolling-support.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });
const deadRun = 'https://github.com/example/app/actions/runs/9009';

describe('the release lock of a rolling deploy', () => {
  let env: SampleEnvironment;
  let elb: ElasticLoadBalancingV2Client;
  beforeAll(async () => {
    env = await buildSampleEnvironment(sim(), { desiredCount: 1 });
    elb = new ElasticLoadBalancingV2Client(clientConfig(sim(), 3));
  }, 60_000);
  afterAll(() => elb.destroy());

  it('takes over the expired lock of a dead run, and the summary says so', async () => {
    await elb.send(
      new CreateRuleCommand(
        lockRuleInput(env.listenerArn, {
          token: newToken(),
          runUrl: deadRun,
          actor: 'user-9009',
          commit: '0123456789ab',
          scope: `${env.cluster}/${env.service}`,
          expiresAt: Date.now() - 60_000,
        }),
      ),
    );
    const result = await runAgainst(sim(), {
      inputs: { cluster: env.cluster, service: env.service, images: `${env.repositoryUri}:v2`, ...FAST },
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs.status).toBe('succeeded');
    expect(result.stdout).toContain(`Took over the expired release lock of run ${deadRun}`);
    expect(result.summary).toMatch(
      new RegExp(
        `Took over the expired release lock of run ${deadRun.replace(/[/.]/g, '\\$&')} by user-9009`,
      ),
    );
    // The dead run's rule is gone, and so is ours: the lock was released at the end.
    const rules = await elb.send(new DescribeRulesCommand({ ListenerArn: env.listenerArn }));
    expect(rules.Rules?.filter((r) => r.Priority === '50000')).toEqual([]);
  }, 120_000);
});
