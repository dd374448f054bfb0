/**
 * What a preview tells GitHub: one pull-request comment (found again by a hidden marker and
 * edited in place, never a second one) and a GitHub deployment for environment `pr-<n>` whose
 * statuses follow the preview (in progress, success with its URL, failure with the reason,
 * inactive once removed). Octokit from `@actions/github` honours `GITHUB_API_URL`, so GitHub
 * Enterprise Server works as it is.
 */
import * as github from '@actions/github';
import type { RunContext } from '../settings/settings.js';

export type Octokit = ReturnType<typeof github.getOctokit>;

export interface Repo {
  owner: string;
  repo: string;
}

export function createOctokit(token: string): Octokit {
  return github.getOctokit(token);
}

/** `owner/name` → its two parts. */
export function repoOf(repository: string): Repo {
  const [owner = '', repo = ''] = repository.split('/');
  return { owner, repo };
}

/** The run's own page, linked from the comment and the deployment status. */
export function runUrl(run: RunContext): string | undefined {
  return run.runId && run.repository
    ? `${run.serverUrl}/${run.repository}/actions/runs/${run.runId}`
    : undefined;
}

/** The hidden first line that identifies this app's preview comment on a pull request. */
export function commentMarker(app: string): string {
  return `<!-- deploy-action:preview:${app} -->`;
}

export async function upsertComment(
  octokit: Octokit,
  target: Repo & { issue: number; marker: string; body: string },
): Promise<{ id: number; created: boolean }> {
  const body = `${target.marker}\n${target.body}`;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issue,
    per_page: 100,
  });
  const existing = comments.find((c) => c.body?.startsWith(target.marker));
  if (existing) {
    await octokit.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: existing.id,
      body,
    });
    return { id: existing.id, created: false };
  }
  const created = await octokit.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issue,
    body,
  });
  return { id: created.data.id, created: true };
}

export async function createDeployment(
  octokit: Octokit,
  target: Repo & { ref: string; environment: string; description: string },
): Promise<number> {
  const out = await octokit.rest.repos.createDeployment({
    owner: target.owner,
    repo: target.repo,
    ref: target.ref,
    environment: target.environment,
    description: target.description,
    // The preview deploys an image built for this commit: no merge, no status checks needed.
    auto_merge: false,
    required_contexts: [],
    transient_environment: true,
    production_environment: false,
  });
  const id = (out.data as { id?: number }).id;
  if (typeof id !== 'number') throw new Error(`GitHub did not create the deployment (status ${out.status}).`);
  return id;
}

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export async function setDeploymentStatus(
  octokit: Octokit,
  target: Repo & {
    deploymentId: number;
    state: DeploymentState;
    environmentUrl?: string;
    logUrl?: string;
    description?: string;
  },
): Promise<void> {
  await octokit.rest.repos.createDeploymentStatus({
    owner: target.owner,
    repo: target.repo,
    deployment_id: target.deploymentId,
    state: target.state,
    environment_url: target.environmentUrl,
    log_url: target.logUrl,
    // GitHub rejects descriptions over 140 characters.
    description: target.description ? target.description.slice(0, 140) : undefined,
  });
}

/** Marks every deployment of the environment inactive; returns how many there were. */
export async function deactivateDeployments(
  octokit: Octokit,
  target: Repo & { environment: string; description: string },
): Promise<number> {
  const deployments = await octokit.paginate(octokit.rest.repos.listDeployments, {
    owner: target.owner,
    repo: target.repo,
    environment: target.environment,
    per_page: 100,
  });
  for (const d of deployments) {
    await setDeploymentStatus(octokit, {
      ...target,
      deploymentId: d.id,
      state: 'inactive',
      description: target.description,
    });
  }
  return deployments.length;
}

export async function pullRequestState(
  octokit: Octokit,
  target: Repo & { number: number },
): Promise<'open' | 'closed'> {
  const out = await octokit.rest.pulls.get({
    owner: target.owner,
    repo: target.repo,
    pull_number: target.number,
  });
  return out.data.state === 'open' ? 'open' : 'closed';
}
