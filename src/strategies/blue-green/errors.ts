/** Errors a blue-green release tells apart: a refusal changed nothing; an alarm carries when it was seen. */

/** Refusals happen before anything changes. */
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
