import type { LoadBalancerSide, TargetHealthView, TargetRef } from '../contracts.js';
import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';

/** Placeholder: to be replaced by the real part. */
export class ElbSim implements LoadBalancerSide {
  readonly service: ServiceDefinition = {
    name: 'elbv2',
    protocol: 'query',
    xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
    throttleCode: 'Throttling',
    handlers: {},
  };

  constructor(readonly sim: Simulator) {}

  targetGroupExists(_arn: string): boolean {
    return false;
  }
  targetGroupHasLoadBalancer(_arn: string): boolean {
    return false;
  }
  registerTarget(_arn: string, _t: TargetRef): void {}
  deregisterTarget(_arn: string, _t: TargetRef): void {}
  targetHealth(_arn: string, _t: TargetRef): TargetHealthView {
    return { State: 'unused' };
  }
  deregistrationDelayMs(_arn: string): number {
    return 300_000;
  }

  async stop(): Promise<void> {}
}
