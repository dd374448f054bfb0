/**
 * The one place AWS clients are built. Region comes from settings or the environment;
 * endpoints only from the SDK's own configuration (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_ECS`, …),
 * so the same code talks to AWS or to a local simulator without a test-only path. Every client
 * refuses a change made outside a release journal step (`mutation-guard.ts`).
 *
 * Each client package is imported only when a command asks for it: loading all five takes
 * longer than `command: register` needs for its whole start, and the post step needs none of
 * them when the journal is empty.
 */
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { ACTION_NAME, ACTION_VERSION } from '../version.js';
import { guardMutations } from './mutation-guard.js';

export interface AwsClients {
  region: string;
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  cloudwatch: CloudWatchClient;
  autoscaling: ApplicationAutoScalingClient;
  /** CloudWatch Logs: the tail of a one-off task's awslogs streams. */
  logs: CloudWatchLogsClient;
  /** ECR client for a region: images may live in another region than the cluster. */
  ecr(region?: string): ECRClient;
}

/** Retries with jittered exponential backoff capped at 5 s, so a throttling burst slows a poll, never fails it. */
export const MAX_ATTEMPTS = 8;
export function backoffMs(attempt: number): number {
  const cap = Math.min(5_000, 100 * 2 ** attempt);
  return cap / 2 + Math.random() * (cap / 2);
}

export function resolveRegion(configured: string | undefined, env: NodeJS.ProcessEnv): string {
  const region = configured || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new Error(
      'No AWS region: set input "region", or AWS_REGION in the environment (aws-actions/configure-aws-credentials sets it).',
    );
  }
  return region;
}

export type ClientKind = 'ecs' | 'ecr' | 'elb' | 'cloudwatch' | 'autoscaling' | 'logs';
export const ALL_CLIENTS: readonly ClientKind[] = ['ecs', 'ecr', 'elb', 'cloudwatch', 'autoscaling', 'logs'];

/** The client classes of the packages loaded (`import()` each only when asked for). */
async function loadClasses(kinds: readonly ClientKind[]) {
  const want = new Set(kinds);
  const [ecs, ecr, elb, cloudwatch, autoscaling, logs] = await Promise.all([
    want.has('ecs') ? import('./sdk/ecs.js').then((m) => m.ECSClient) : undefined,
    want.has('ecr') ? import('./sdk/ecr.js').then((m) => m.ECRClient) : undefined,
    want.has('elb') ? import('./sdk/elb.js').then((m) => m.ElasticLoadBalancingV2Client) : undefined,
    want.has('cloudwatch') ? import('./sdk/cloudwatch.js').then((m) => m.CloudWatchClient) : undefined,
    want.has('autoscaling')
      ? import('./sdk/autoscaling.js').then((m) => m.ApplicationAutoScalingClient)
      : undefined,
    want.has('logs') ? import('./sdk/logs.js').then((m) => m.CloudWatchLogsClient) : undefined,
  ]);
  return { ecs, ecr, elb, cloudwatch, autoscaling, logs };
}

/**
 * Clients for `region`, of the kinds given (all by default). Asking for a kind that was not
 * loaded is a bug in the caller's list, reported as such rather than as an AWS failure.
 */
export async function createClients(
  region: string,
  kinds: readonly ClientKind[] = ALL_CLIENTS,
): Promise<AwsClients> {
  const common = {
    region,
    retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, backoffMs),
    customUserAgent: [[ACTION_NAME, ACTION_VERSION]] as [string, string][],
  };
  const classes = await loadClasses(kinds);
  const made = new Map<string, unknown>();
  const client = <T>(kind: ClientKind, key: string, make: (() => T) | undefined): T => {
    if (!make)
      throw new Error(`Bug: the ${kind} client was not loaded for this command (see createClients).`);
    if (!made.has(key)) made.set(key, guardMutations(make() as { middlewareStack: unknown }));
    return made.get(key) as T;
  };
  const { ecs: Ecs, ecr: Ecr, elb: Elb, cloudwatch: Cw, autoscaling: As, logs: Logs } = classes;
  return {
    region,
    get ecs() {
      return client('ecs', 'ecs', Ecs && (() => new Ecs(common)));
    },
    get elb() {
      return client('elb', 'elb', Elb && (() => new Elb(common)));
    },
    get cloudwatch() {
      return client('cloudwatch', 'cloudwatch', Cw && (() => new Cw(common)));
    },
    get autoscaling() {
      return client('autoscaling', 'autoscaling', As && (() => new As(common)));
    },
    get logs() {
      return client('logs', 'logs', Logs && (() => new Logs(common)));
    },
    ecr(ecrRegion = region) {
      return client('ecr', `ecr:${ecrRegion}`, Ecr && (() => new Ecr({ ...common, region: ecrRegion })));
    },
  };
}
