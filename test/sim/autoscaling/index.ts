import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';

/** Placeholder: to be replaced by the real part. */
export class AutoScalingSim {
  readonly service: ServiceDefinition = {
    name: 'autoscaling',
    protocol: 'json1.1',
    targetPrefix: 'AnyScaleFrontendService',
    throttleCode: 'ThrottlingException',
    handlers: {},
  };

  constructor(readonly sim: Simulator) {}

  async stop(): Promise<void> {}
}
