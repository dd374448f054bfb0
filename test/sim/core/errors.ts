/**
 * An AWS service error as the simulator raises it. Handlers throw it; the protocol layer
 * turns it into the wire shape the SDK of that service expects, so the SDK raises its own
 * exception class (`ClusterNotFoundException`, `ListenerNotFoundException`, ...).
 */
export class AwsError extends Error {
  constructor(
    /** The wire code: `ClusterNotFoundException` for JSON services, `ListenerNotFound` for ELBv2. */
    readonly code: string,
    message: string,
    readonly status = 400,
    /** `Sender` for client faults, `Receiver` for server faults (query protocols). */
    readonly fault: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

/** Raised for any operation the simulator does not implement, so a gap is loud. */
export function unknownOperation(service: string, operation: string): AwsError {
  return new AwsError(
    'UnknownOperationException',
    `The simulator does not implement ${service}.${operation}`,
    400,
  );
}
