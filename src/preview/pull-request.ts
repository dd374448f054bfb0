/**
 * Which pull request a preview command acts on, and at which commit: input `pull-request`
 * first, else the `pull_request` event that started the workflow (from the run context). The
 * commit is the pull request's head (on `pull_request` events `GITHUB_SHA` is a merge commit
 * nobody pushed).
 */
import { SettingsError } from '../settings/errors.js';
import type { RunContext } from '../settings/settings.js';

export interface PullRequestRef {
  number: number;
  /** Head commit of the pull request (or of the run when the event has none). */
  commit: string;
  /** `owner/name`. */
  repository: string;
}

/** `owner/name` of the repository, which preview tags and GitHub reports need. */
export function repositoryName(run: RunContext): string {
  if (!run.repository) {
    throw new SettingsError(
      'The repository is unknown: GITHUB_REPOSITORY is not set. Expected: `owner/name`, as the runner sets it.',
    );
  }
  return run.repository;
}

export function resolvePullRequest(fromInput: number | undefined, run: RunContext): PullRequestRef {
  const event = run.event;
  const number = fromInput ?? event.pullRequest?.number ?? event.number;
  if (number === undefined) {
    throw new SettingsError(
      `Input "pull-request" is required when the workflow was not started by a pull_request event (event: ${run.eventName || 'unknown'}). Expected: a pull request number such as \`12\`.`,
    );
  }
  if (!Number.isInteger(number) || number < 1 || number > 999_999_999) {
    throw new SettingsError(
      `The event's pull request number (${number}) is not usable. Expected: a whole number 1 to 999999999 in input "pull-request".`,
    );
  }
  const head =
    fromInput === undefined || fromInput === event.pullRequest?.number
      ? event.pullRequest?.headSha
      : undefined;
  return { number, commit: head ?? run.sha ?? '', repository: repositoryName(run) };
}
