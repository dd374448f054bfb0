/**
 * Which pull request a preview command acts on, and at which commit: input `pull-request`
 * first, else the `pull_request` event that started the workflow. The commit is the pull
 * request's head (on `pull_request` events `GITHUB_SHA` is a merge commit nobody pushed).
 */
import * as github from '@actions/github';
import { SettingsError } from '../settings/errors.js';

export interface PullRequestRef {
  number: number;
  /** Head commit of the pull request (or of the run when the event has none). */
  commit: string;
  /** `owner/name`. */
  repository: string;
}

export function repositoryName(): string {
  const { owner, repo } = github.context.repo;
  return `${owner}/${repo}`;
}

export function resolvePullRequest(fromInput: number | undefined): PullRequestRef {
  const payload = github.context.payload as {
    number?: number;
    pull_request?: { number?: number; head?: { sha?: string } };
  };
  const number = fromInput ?? payload.pull_request?.number ?? payload.number;
  if (number === undefined) {
    throw new SettingsError(
      `Input "pull-request" is required when the workflow was not started by a pull_request event (event: ${github.context.eventName || 'unknown'}). Expected: a pull request number such as \`12\`.`,
    );
  }
  if (!Number.isInteger(number) || number < 1 || number > 999_999_999) {
    throw new SettingsError(
      `The event's pull request number (${number}) is not usable. Expected: a whole number 1 to 999999999 in input "pull-request".`,
    );
  }
  const head =
    fromInput === undefined || fromInput === payload.pull_request?.number
      ? payload.pull_request?.head?.sha
      : undefined;
  return { number, commit: head ?? github.context.sha ?? '', repository: repositoryName() };
}
