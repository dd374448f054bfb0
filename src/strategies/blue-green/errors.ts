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

/** Another deployment replaced ours on the idle side: it is newer, and the release leaves it alone. */
export class SupersededError extends Error {
  override name = 'SupersededError';
  constructor(
    message: string,
    readonly by: { deploymentId: string; taskDefinitionArn: string },
  ) {
    super(message);
  }
}
