/**
 * Tells the pull request about its preview: the one comment (created or edited) and the
 * GitHub deployment of environment `pr-<n>`. GitHub trouble never undoes or fails the AWS
 * work; it becomes a warning, because the preview itself is fine.
 */
import * as core from '@actions/core';
import {
  commentMarker,
  createDeployment,
  createOctokit,
  deactivateDeployments,
  type Octokit,
  pullRequestState,
  type Repo,
  repoOf,
  runUrl,
  setDeploymentStatus,
  upsertComment,
} from '../report/github.js';
import { type PreviewReport, previewMarkdown } from '../report/preview-comment.js';
import type { PreviewSettings } from '../settings/preview.js';
import type { RunContext } from '../settings/settings.js';

export class Announcer {
  private deploymentId?: number;

  private constructor(
    private readonly octokit: Octokit,
    private readonly repo: Repo,
    private readonly runUrl: string | undefined,
  ) {}

  /** Undefined (with a notice) when there is no token: the preview still works, unannounced. */
  static create(
    token: string | undefined,
    repository: string,
    runUrl: string | undefined,
  ): Announcer | undefined {
    if (!token) {
      core.info('No "github-token": the pull request gets no comment and no GitHub deployment.');
      return undefined;
    }
    return new Announcer(createOctokit(token), repoOf(repository), runUrl);
  }

  /** Whether a pull request of this repository is open; throws when GitHub cannot say. */
  pullRequestState(number: number): Promise<'open' | 'closed'> {
    return pullRequestState(this.octokit, { ...this.repo, number });
  }

  private async attempt(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const e = err as Error & { status?: number };
      core.warning(`GitHub: ${what} failed${e.status ? ` (HTTP ${e.status})` : ''}: ${e.message}`);
    }
  }

  async comment(report: PreviewReport): Promise<void> {
    await this.attempt('updating the pull-request comment', async () => {
      const { created } = await upsertComment(this.octokit, {
        ...this.repo,
        issue: report.pullRequest,
        marker: commentMarker(report.app),
        body: previewMarkdown(report),
      });
      core.info(`${created ? 'Created' : 'Updated'} the preview comment on #${report.pullRequest}.`);
    });
  }

  async deploymentStarted(environment: string, ref: string, app: string): Promise<void> {
    await this.attempt(`creating the deployment for ${environment}`, async () => {
      this.deploymentId = await createDeployment(this.octokit, {
        ...this.repo,
        ref,
        environment,
        description: `Preview of ${app}`,
      });
      await setDeploymentStatus(this.octokit, {
        ...this.repo,
        deploymentId: this.deploymentId,
        state: 'in_progress',
        logUrl: this.runUrl,
      });
    });
  }

  async deploymentFinished(ok: boolean, url: string, reason: string | undefined): Promise<void> {
    const id = this.deploymentId;
    if (id === undefined) return;
    await this.attempt('setting the deployment status', () =>
      setDeploymentStatus(this.octokit, {
        ...this.repo,
        deploymentId: id,
        state: ok ? 'success' : 'failure',
        environmentUrl: ok ? url : undefined,
        logUrl: this.runUrl,
        description: ok ? 'Preview is ready' : reason,
      }),
    );
  }

  async deploymentsRemoved(environment: string, why: string): Promise<void> {
    await this.attempt(`marking the ${environment} deployments inactive`, async () => {
      const n = await deactivateDeployments(this.octokit, { ...this.repo, environment, description: why });
      core.info(`Marked ${n} GitHub deployment${n === 1 ? '' : 's'} of ${environment} inactive.`);
    });
  }
}

/** The announcer of a preview command (the token was masked when the inputs were read). */
export function announcerFor(
  preview: PreviewSettings,
  repository: string,
  run: RunContext,
): Announcer | undefined {
  return Announcer.create(preview.githubToken, repository, runUrl(run));
}

export function reportTime(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
