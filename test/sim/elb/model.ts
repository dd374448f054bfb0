/**
 * The ELBv2 resources the simulator keeps, and how they are named. ARNs follow AWS's shapes
 * exactly (`loadbalancer/app/<name>/<16 hex>`, ...) because the action parses them: the
 * CloudWatch dimensions `app/<name>/<id>` and `targetgroup/<name>/<id>` are cut out of them.
 */
import { randomBytes } from 'node:crypto';
import { ACCOUNT, REGION } from '../contracts.js';

export const ARN_PREFIX = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:`;

export function hexId(): string {
  return randomBytes(8).toString('hex');
}

export interface Tag {
  Key: string;
  Value?: string;
}

export interface TargetGroupTuple {
  TargetGroupArn: string;
  Weight: number;
}

/** A listener or rule action, normalised: a `forward` always carries its ForwardConfig. */
export interface Action {
  Type: string;
  Order?: number;
  TargetGroupArn?: string;
  ForwardConfig?: {
    TargetGroups: TargetGroupTuple[];
    TargetGroupStickinessConfig: { Enabled: boolean; DurationSeconds?: number };
  };
  FixedResponseConfig?: { StatusCode: string; ContentType?: string; MessageBody?: string };
  RedirectConfig?: {
    Protocol?: string;
    Port?: string;
    Host?: string;
    Path?: string;
    Query?: string;
    StatusCode: string;
  };
}

export interface Condition {
  Field: string;
  Values?: string[];
  HostHeaderConfig?: { Values: string[] };
  PathPatternConfig?: { Values: string[] };
  HttpHeaderConfig?: { HttpHeaderName: string; Values: string[] };
  QueryStringConfig?: { Values: { Key?: string; Value: string }[] };
  HttpRequestMethodConfig?: { Values: string[] };
  SourceIpConfig?: { Values: string[] };
}

export interface LoadBalancer {
  arn: string;
  name: string;
  id: string;
  createdAt: Date;
  scheme: string;
  securityGroups: string[];
  subnets: string[];
  attributes: Map<string, string>;
  tags: Tag[];
}

export interface Rule {
  arn: string;
  listenerArn: string;
  /** `undefined` for the listener's default rule. */
  priority?: number;
  conditions: Condition[];
  actions: Action[];
  tags: Tag[];
}

export interface Listener {
  arn: string;
  id: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  certificates?: unknown[];
  sslPolicy?: string;
  defaultRule: Rule;
  /** Non-default rules, in creation order; routing sorts them by priority. */
  rules: Rule[];
  tags: Tag[];
}

export interface HealthCheck {
  enabled: boolean;
  protocol: string;
  port: string;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher: string;
}

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

export interface Target {
  id: string;
  port: number;
  availabilityZone?: string;
  state: TargetState;
  reason?: string;
  description?: string;
  okStreak: number;
  failStreak: number;
  /** Registration order, so round-robin and DescribeTargetHealth are stable. */
  seq: number;
  probeTimer?: NodeJS.Timeout;
  drainTimer?: NodeJS.Timeout;
  /** Set while the group is unused: once attached, registration takes a full interval again. */
  awaitingAttach?: boolean;
  /** Set when the target left the group, so a probe in flight does not touch it. */
  gone?: boolean;
}

export interface TargetGroup {
  arn: string;
  name: string;
  id: string;
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  targetType: string;
  ipAddressType: string;
  healthCheck: HealthCheck;
  attributes: Map<string, string>;
  targets: Map<string, Target>;
  tags: Tag[];
  nextSeq: number;
  /** Round-robin cursor over the group's routable targets. */
  cursor: number;
}

export function targetKey(id: string, port: number): string {
  return `${id}:${port}`;
}

/** `app/<name>/<id>`: the LoadBalancer dimension of AWS/ApplicationELB metrics. */
export function loadBalancerDimension(lb: LoadBalancer): string {
  return `app/${lb.name}/${lb.id}`;
}

/** `targetgroup/<name>/<id>`: the TargetGroup dimension of AWS/ApplicationELB metrics. */
export function targetGroupDimension(tg: TargetGroup): string {
  return `targetgroup/${tg.name}/${tg.id}`;
}

/** Every target group an action list forwards to (weight 0 included: it still counts as attached). */
export function forwardedGroups(actions: Action[]): string[] {
  const out: string[] = [];
  for (const a of actions) {
    if (a.Type !== 'forward') continue;
    for (const t of a.ForwardConfig?.TargetGroups ?? []) out.push(t.TargetGroupArn);
  }
  return out;
}

export const LOAD_BALANCER_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  'idle_timeout.timeout_seconds': '60',
  'deletion_protection.enabled': 'false',
  'routing.http2.enabled': 'true',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
  'routing.http.xff_client_port.enabled': 'false',
  'routing.http.xff_header_processing.mode': 'append',
  'routing.http.preserve_host_header.enabled': 'false',
  'routing.http.desync_mitigation_mode': 'defensive',
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'load_balancing.cross_zone.enabled': 'true',
  'waf.fail_open.enabled': 'false',
  'client_keep_alive.seconds': '3600',
};

export const TARGET_GROUP_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  'deregistration_delay.timeout_seconds': '300',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'stickiness.app_cookie.cookie_name': '',
  'stickiness.app_cookie.duration_seconds': '86400',
  'load_balancing.algorithm.type': 'round_robin',
  'load_balancing.algorithm.anomaly_mitigation': 'off',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'slow_start.duration_seconds': '0',
  'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off',
};
