import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';

/** Placeholder: to be replaced by the real part. */
export class CloudWatchSim {
  readonly service: ServiceDefinition = {
    name: 'cloudwatch',
    protocol: 'json1.0',
    targetPrefix: 'GraniteServiceVersion20100801',
    throttleCode: 'ThrottlingException',
    handlers: {},
  };

  constructor(readonly sim: Simulator) {}

  async stop(): Promise<void> {}
}
