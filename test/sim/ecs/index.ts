import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';

/** Placeholder: to be replaced by the real part. */
export class EcsSim {
  readonly service: ServiceDefinition = {
    name: 'ecs',
    protocol: 'json1.1',
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    throttleCode: 'ThrottlingException',
    handlers: {},
  };

  constructor(readonly sim: Simulator) {}

  async stop(): Promise<void> {}
}
