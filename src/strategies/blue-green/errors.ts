/** Errors a blue-green release tells apart: a refusal changed nothing; an alarm carries when it was seen. */

export { AlarmFiredError, RefusedError } from '../errors.js';

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
