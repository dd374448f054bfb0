/**
 * `command: preview-up`: one pull request's preview environment brought up (or updated). The
 * names and routes are checked before the first AWS call; the pull request hears about the
 * outcome either way.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { announcerFor, reportTime } from '../preview/announce.js';
import { type PreviewNames, previewNames } from '../preview/naming.js';
import { type PullRequestRef, resolvePullRequest } from '../preview/pull-request.js';
import type { PreviewTags } from '../preview/tags.js';
import { bringUp, sentence } from '../preview/up.js';
import { runRelease } from '../release/runner.js';
import { runUrl } from '../report/github.js';
import { table } from '../report/markdown.js';
import { type PreviewReport, previewMarkdown } from '../report/preview-comment.js';
import { renderSummary, summary } from '../report/summary.js';
import type { PreviewSettings } from '../settings/preview.js';
import type { PreviewUpSettings } from '../settings/settings.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import type { CommandResult } from './result.js';

function tagsFor(names: PreviewNames, pr: PullRequestRef, preview: PreviewSettings): PreviewTags {
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    app: names.app,
    repository: pr.repository,
    pullRequest: pr.number,
    commit: pr.commit,
    created: iso(now),
    expires: iso(now + preview.ttlMs),
  };
}

export async function previewUpCommand(
  settings: PreviewUpSettings,
  clients: AwsClients,
  rendered: (TaskDefinitionInput | undefined)[],
): Promise<CommandResult> {
  const { preview } = settings;
  const pr = resolvePullRequest(preview.pullRequest, settings.run);
  const target = settings.targets[0]!;
  const names = previewNames(target.service, pr.number, preview);
  if (preview.desiredCount < 1) {
    throw new Error(
      'Input "desired-count" is 0: a preview needs at least one task. Expected: a whole number 1 or more.',
    );
  }
  core.info(
    `Preview of ${names.app} for pull request #${pr.number} at ${names.url} (commit ${pr.commit.slice(0, 7)}).`,
  );
  const announcer = announcerFor(preview, pr.repository, settings.run);
  const report = (status: PreviewReport['status'], extra: Partial<PreviewReport> = {}): PreviewReport => ({
    app: names.app,
    pullRequest: pr.number,
    url: names.url,
    commit: pr.commit,
    status,
    smoke: [],
    runUrl: runUrl(settings.run),
    at: reportTime(),
    ...extra,
  });
  await announcer?.deploymentStarted(names.environment, pr.commit, names.app);
  await announcer?.comment(report('deploying'));

  // Every change of a preview is final (a half-made one is kept): nothing for a cancel to undo.
  const outcome = await runRelease(clients, 'exit', ({ journal }) =>
    bringUp(clients, {
      target,
      preview,
      names,
      tags: tagsFor(names, pr, preview),
      rendered: rendered[0],
      pinImageDigests: settings.pinImageDigests,
      timeoutMs: settings.timeoutMs,
      pollIntervalMs: settings.pollIntervalMs,
      journal,
    }),
  );
  const final = report(outcome.ok ? 'ready' : 'failed', { reason: outcome.reason, smoke: outcome.smoke });
  await announcer?.deploymentFinished(outcome.ok, names.url, outcome.reason);
  await announcer?.comment(final);
  return {
    outputs: {
      status: outcome.ok ? 'ready' : 'failed',
      'preview-url': names.url,
      'preview-service': names.service,
      'pull-request': String(pr.number),
      'task-definition-arn': outcome.taskDefinitionArn ?? '',
      'rule-priority': outcome.priority !== undefined ? String(outcome.priority) : '',
      'smoke-results': JSON.stringify(outcome.smoke),
    },
    summary: renderSummary({
      ...summary(
        `Preview ${names.service}`,
        outcome.ok ? 'succeeded' : 'failed',
        outcome.ok
          ? `Preview of **${names.app}** for #${pr.number} is up at ${names.url}.`
          : `Preview of **${names.app}** for #${pr.number} failed.`,
      ),
      why: outcome.ok ? undefined : outcome.reason,
      sections: [
        { heading: 'Pull request comment', body: previewMarkdown(final) },
        {
          heading: 'Resources',
          body: table(
            ['Resource', 'Value'],
            [
              ['Service', `${target.cluster}/${names.service}`],
              ['Target group', names.targetGroup],
              [
                'Listener rule',
                outcome.priority !== undefined
                  ? `priority ${outcome.priority}: ${names.condition.values.join(', ')}`
                  : '(not created)',
              ],
              ['Task definition', outcome.taskDefinitionArn ?? '(not registered)'],
            ],
          ),
        },
      ],
    }),
    failure: outcome.ok
      ? undefined
      : `Preview of ${names.app} for #${pr.number} failed: ${sentence(outcome.reason ?? 'unknown reason')} Remove what was created with \`command: preview-down\` (or push a fix).`,
  };
}
