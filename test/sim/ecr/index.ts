import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';

/** Placeholder: to be replaced by the real part. */
export class EcrSim {
  readonly service: ServiceDefinition = {
    name: 'ecr',
    protocol: 'json1.1',
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    throttleCode: 'ThrottlingException',
    handlers: {},
  };

  constructor(readonly sim: Simulator) {}

  async stop(): Promise<void> {}
}
