/**
 * The seams between the simulator's parts. The ECS scheduler (ecs/) places tasks into target
 * groups owned by the ELB part (elb/); the ALB proxy (elb/) records metrics that CloudWatch
 * alarms (cloudwatch/) evaluate. Each part implements its side of these interfaces and reaches
 * the others only through them (via the `Simulator` that owns all parts).
 */

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A target as ALB sees it: awsvpc tasks register by IP and port; here every task is on loopback. */
export interface TargetRef {
  /** The target id (`127.0.0.1` for every simulated task; the port tells them apart). */
  id: string;
  port: number;
}

export interface TargetHealthView {
  State: 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';
  Reason?: string;
  Description?: string;
}

/** What the ECS scheduler needs from the load balancer side. */
export interface LoadBalancerSide {
  targetGroupExists(targetGroupArn: string): boolean;
  /** True when a listener default action or rule forwards to it (ECS refuses others). */
  targetGroupHasLoadBalancer(targetGroupArn: string): boolean;
  /** Registering starts health checks (`initial` → `healthy`/`unhealthy`). Idempotent. */
  registerTarget(targetGroupArn: string, target: TargetRef): void;
  /** Starts draining for the group's deregistration delay; unknown targets are fine. */
  deregisterTarget(targetGroupArn: string, target: TargetRef): void;
  targetHealth(targetGroupArn: string, target: TargetRef): TargetHealthView;
  /** The group's `deregistration_delay.timeout_seconds` in simulated milliseconds. */
  deregistrationDelayMs(targetGroupArn: string): number;
}

/** A data point the ALB proxy records for CloudWatch (namespace AWS/ApplicationELB). */
export interface MetricPoint {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Simulated epoch ms. */
  timestamp: number;
  value: number;
  unit?: string;
}

/** What the ALB proxy needs from CloudWatch: somewhere to put request metrics. */
export interface MetricSink {
  putMetric(point: MetricPoint): void;
}

/** What the ECS scheduler needs from CloudWatch Logs: the awslogs driver's destination. */
export interface LogSink {
  logGroupExists(name: string): boolean;
  /** `awslogs-create-group: true`: the driver creates the group it needs. */
  ensureLogGroup(name: string): void;
  /** A line a container wrote (simulated epoch ms); the stream is created on first write. */
  write(group: string, stream: string, timestamp: number, message: string): void;
}
