import { matching } from './zod-values.js';

const TARGET_GROUP =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[\w-]{1,32}\/[0-9a-f]+$/;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export const NATIVE_FIELDS = {
  'alternate-target-group': matching(
    TARGET_GROUP,
    "ecs-blue-green: the target-group ARN ECS starts the new revision in (the service's alternate target group)",
  ),
  'infrastructure-role': matching(
    ROLE,
    'ecs-blue-green: the IAM role ARN ECS assumes to shift listener-rule weights, e.g. `arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers`',
  ),
} as const;
