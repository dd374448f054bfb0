/**
 * The run context, read from the runner's environment the way `@actions/github`'s `context`
 * reads it (`GITHUB_*` variables and the event payload file), but only here and only once, so
 * no module below settings reads the environment. Reading it directly also keeps Octokit out of
 * the commands that never talk to GitHub.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SettingsError } from './errors.js';
import type { RunContext } from './settings.js';

/** The parts of a webhook payload the action reads. */
interface EventPayload {
  number?: number;
  pull_request?: { number?: number; head?: { sha?: string }; base?: { sha?: string } };
  repository?: { full_name?: string };
}

export function readRunContext(env: NodeJS.ProcessEnv): RunContext {
  const payload = readEventPayload(env);
  return {
    repository: env.GITHUB_REPOSITORY || payload.repository?.full_name || undefined,
    sha: env.GITHUB_SHA || undefined,
    runId: env.GITHUB_RUN_ID || undefined,
    runAttempt: env.GITHUB_RUN_ATTEMPT || undefined,
    actor: env.GITHUB_ACTOR || undefined,
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    eventName: env.GITHUB_EVENT_NAME || undefined,
    event: {
      number: payload.number,
      pullRequest: payload.pull_request
        ? {
            number: payload.pull_request.number,
            headSha: payload.pull_request.head?.sha,
            baseSha: payload.pull_request.base?.sha,
          }
        : undefined,
    },
  };
}

/** The event that started the workflow; `{}` when the runner gave none (a local run). */
function readEventPayload(env: NodeJS.ProcessEnv): EventPayload {
  const file = env.GITHUB_EVENT_PATH;
  if (!file || !existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as EventPayload;
  } catch (err) {
    throw new SettingsError(`The event payload (GITHUB_EVENT_PATH) is not JSON: ${(err as Error).message}`);
  }
}
