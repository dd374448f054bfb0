/**
 * The one place AWS clients are built. Region comes from settings or the environment;
 * endpoints only from the SDK's own configuration (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_ECS`, …),
 * so the same code talks to AWS or to a local simulator without a test-only path.
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { ACTION_NAME, ACTION_VERSION } from '../version.js';

export interface AwsClients {
  region: string;
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  cloudwatch: CloudWatchClient;
  autoscaling: ApplicationAutoScalingClient;
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

export function createClients(region: string): AwsClients {
  const common = {
    region,
    retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, backoffMs),
    customUserAgent: [[ACTION_NAME, ACTION_VERSION]] as [string, string][],
  };
  const ecrByRegion = new Map<string, ECRClient>();
  return {
    region,
    ecs: new ECSClient(common),
    elb: new ElasticLoadBalancingV2Client(common),
    cloudwatch: new CloudWatchClient(common),
    autoscaling: new ApplicationAutoScalingClient(common),
    ecr(ecrRegion = region) {
      let client = ecrByRegion.get(ecrRegion);
      if (!client) {
        client = new ECRClient({ ...common, region: ecrRegion });
        ecrByRegion.set(ecrRegion, client);
      }
      return client;
    },
  };
}
