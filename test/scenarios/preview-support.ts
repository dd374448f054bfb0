/**
 * Set-up shared by the preview scenarios: the sample environment (cluster `demo`, base service
 * `web` on v1, ECR images v1/v2/v3/crash) plus a shared preview listener on the same load
 * balancer, a fake GitHub, a `pull_request` event file per run, and a look at which AWS
 * resources of a preview exist.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeServicesCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { FakeGitHub } from '../github/fake-github.js';
import type { RunResult } from '../harness/run-action.js';
import { clientConfig } from '../sim/ecs/testing.js';
import type { Simulator } from '../sim/index.js';
import { buildSampleEnvironment, type SampleEnvironment } from '../sim/sample.js';
import { runAgainst } from './support.js';

export const DOMAIN = 'preview.example.com';
export const REPOSITORY = 'example/app';

export interface PreviewEnvironment {
  sample: SampleEnvironment;
  listenerArn: string;
  listenerUrl: string;
}

export function clients(sim: Simulator) {
  return {
    ecs: new ECSClient(clientConfig(sim, 3)),
    elb: new ElasticLoadBalancingV2Client(clientConfig(sim, 3)),
  };
}

/** The sample environment plus a preview listener (port 8000) that answers 404 unless a rule matches. */
export async function buildPreviewEnvironment(sim: Simulator): Promise<PreviewEnvironment> {
  const sample = await buildSampleEnvironment(sim, { desiredCount: 1, deregistrationDelaySeconds: 5 });
  const { elb } = clients(sim);
  try {
    const out = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: sample.loadBalancerArn,
        Protocol: 'HTTP',
        Port: 8000,
        DefaultActions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: {
              StatusCode: '404',
              ContentType: 'text/plain',
              MessageBody: 'no preview here',
            },
          },
        ],
      }),
    );
    const listenerArn = out.Listeners![0]!.ListenerArn!;
    return { sample, listenerArn, listenerUrl: sim.elb.listenerUrl(listenerArn) };
  } finally {
    elb.destroy();
  }
}

export function host(pr: number): string {
  return `pr-${pr}.${DOMAIN}`;
}

/** A `pull_request` event payload as GitHub writes it (only the fields the action reads). */
export function pullRequestEvent(pr: number, sha: string, action = 'synchronize', baseSha?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'event-'));
  const file = path.join(dir, 'event.json');
  writeFileSync(
    file,
    JSON.stringify({
      action,
      number: pr,
      pull_request: {
        number: pr,
        state: action === 'closed' ? 'closed' : 'open',
        head: { sha },
        ...(baseSha ? { base: { sha: baseSha } } : {}),
      },
    }),
  );
  return file;
}

export const FAST = { 'poll-interval': '100ms', timeout: '60s' };

export function runPreview(
  sim: Simulator,
  github: FakeGitHub,
  env: PreviewEnvironment,
  o: {
    command: string;
    pr?: number;
    sha?: string;
    inputs?: Record<string, string | undefined>;
    token?: boolean;
    env?: Record<string, string>;
    /** The checkout the action runs in (default: an empty one). */
    workspace?: string;
    /** The event's `pull_request.base.sha`. */
    baseSha?: string;
  },
): Promise<RunResult> {
  const sha = o.sha ?? 'a'.repeat(40);
  return runAgainst(sim, {
    workspace: o.workspace,
    inputs: {
      command: o.command,
      cluster: env.sample.cluster,
      service: o.command === 'preview-sweep' ? undefined : env.sample.service,
      'preview-listener': env.listenerArn,
      'preview-domain': DOMAIN,
      'preview-test-url': env.listenerUrl,
      'github-token': o.token === false ? undefined : 'ghs_faketoken000000000000000000000000',
      ...FAST,
      ...o.inputs,
    },
    env: {
      ...github.env(REPOSITORY),
      GITHUB_EVENT_NAME: 'pull_request',
      ...(o.pr !== undefined
        ? {
            GITHUB_EVENT_PATH: pullRequestEvent(o.pr, sha, 'synchronize', o.baseSha),
            GITHUB_SHA: 'f'.repeat(40),
          }
        : {}),
      ...o.env,
    },
  });
}

export interface PreviewResources {
  rules: { arn: string; priority: string }[];
  serviceStatus?: string;
  serviceDesired?: number;
  targetGroup?: string;
  activeRevisions: string[];
}

/** Which AWS resources of `web-pr-<n>` exist now (rules found by their tags, like the action). */
export async function resourcesOf(
  sim: Simulator,
  env: PreviewEnvironment,
  pr: number,
): Promise<PreviewResources> {
  const { ecs, elb } = clients(sim);
  try {
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: env.listenerArn }))).Rules ?? [];
    const mine: PreviewResources['rules'] = [];
    for (const r of rules.filter((x) => !x.IsDefault)) {
      const tags =
        (await elb.send(new DescribeTagsCommand({ ResourceArns: [r.RuleArn!] }))).TagDescriptions?.[0]
          ?.Tags ?? [];
      if (tags.some((t) => t.Key === 'deploy-action:pull-request' && t.Value === String(pr))) {
        mine.push({ arn: r.RuleArn!, priority: r.Priority! });
      }
    }
    const svc = (
      await ecs.send(new DescribeServicesCommand({ cluster: env.sample.cluster, services: [`web-pr-${pr}`] }))
    ).services?.[0];
    const tgs = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const tg = tgs.find((t) => t.TargetGroupName === `web-pr-${pr}`);
    const tds = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: `web-pr-${pr}`, status: 'ACTIVE' }),
    );
    return {
      rules: mine,
      serviceStatus: svc?.status,
      serviceDesired: svc?.desiredCount,
      targetGroup: tg?.TargetGroupArn,
      activeRevisions: (tds.taskDefinitionArns ?? []).filter((a) => a.includes(`/web-pr-${pr}:`)),
    };
  } finally {
    ecs.destroy();
    elb.destroy();
  }
}

/** Nothing of the preview is left that costs money or routes traffic. */
export function isGone(r: PreviewResources): boolean {
  return (
    r.rules.length === 0 &&
    (r.serviceStatus === undefined ||
      r.serviceStatus === 'INACTIVE' ||
      (r.serviceStatus === 'DRAINING' && r.serviceDesired === 0)) &&
    r.targetGroup === undefined &&
    r.activeRevisions.length === 0
  );
}

/** The version a preview answers through the shared listener, sent with the preview's host name. */
export function versionOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The preview service's tags, as a map. */
export async function serviceTags(
  sim: Simulator,
  env: PreviewEnvironment,
  pr: number,
): Promise<Record<string, string>> {
  const { ecs } = clients(sim);
  try {
    const out = await ecs.send(
      new DescribeServicesCommand({
        cluster: env.sample.cluster,
        services: [`web-pr-${pr}`],
        include: ['TAGS'],
      }),
    );
    return Object.fromEntries((out.services?.[0]?.tags ?? []).map((t) => [t.key!, t.value!]));
  } finally {
    ecs.destroy();
  }
}
