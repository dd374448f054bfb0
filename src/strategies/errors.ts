/** Errors both traffic-moving strategies (blue-green, ECS-native) tell apart. */

/** A refusal happens before anything changed; its message says what to fix. */
export class RefusedError extends Error {
  override name = 'RefusedError';
}

/** A watched alarm fired: carries when the action noticed, for the restore-latency figure. */
export class AlarmFiredError extends Error {
  override name = 'AlarmFiredError';
  constructor(
    message: string,
    readonly seenAt: number,
  ) {
    super(message);
  }
}
