/**
 * `command: preview-down`: one pull request's preview environment removed (rule, service,
 * target group, task definitions), and the pull request told.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { announcerFor, reportTime } from '../preview/announce.js';
import { nothingRemoved, type RemovedResources, removePreview } from '../preview/down.js';
import { previewNames } from '../preview/naming.js';
import { resolvePullRequest } from '../preview/pull-request.js';
import { runRelease } from '../release/runner.js';
import { runUrl } from '../report/github.js';
import { table } from '../report/markdown.js';
import { renderSummary, summary } from '../report/summary.js';
import type { PreviewDownSettings } from '../settings/settings.js';
import type { CommandResult } from './result.js';

function removedRows(r: RemovedResources): string[][] {
  return [
    ...r.rules.map((a) => ['listener rule', a]),
    ...(r.service ? [['service', r.service]] : []),
    ...r.targetGroups.map((a) => ['target group', a]),
    ...r.taskDefinitions.map((a) => ['task definition (deregistered)', a]),
  ];
}

export async function previewDownCommand(
  settings: PreviewDownSettings,
  clients: AwsClients,
): Promise<CommandResult> {
  const { preview } = settings;
  const pr = resolvePullRequest(preview.pullRequest, settings.run);
  const target = settings.targets[0]!;
  const names = previewNames(target.service, pr.number, preview);
  const removed = await core.group(`Remove preview ${names.service}`, () =>
    runRelease(clients, 'exit', ({ journal }) =>
      removePreview(clients, {
        cluster: target.cluster,
        listenerArn: preview.listener,
        app: names.app,
        pullRequest: pr.number,
        log: core.info,
        journal,
      }),
    ),
  );
  const gone = nothingRemoved(removed)
    ? 'Nothing was left to remove.'
    : `Removed ${removedRows(removed).length} resources.`;
  core.info(gone);
  const announcer = announcerFor(preview, pr.repository, settings.run);
  const why = 'Preview removed: the pull request was closed.';
  await announcer?.deploymentsRemoved(names.environment, why);
  await announcer?.comment({
    app: names.app,
    pullRequest: pr.number,
    url: names.url,
    commit: pr.commit,
    status: 'removed',
    reason: why,
    smoke: [],
    runUrl: runUrl(settings.run),
    at: reportTime(),
  });
  const rows = removedRows(removed);
  return {
    outputs: { status: 'removed', 'preview-service': names.service, 'pull-request': String(pr.number) },
    summary: renderSummary({
      ...summary(`Preview removed: ${names.service}`, 'removed', gone),
      sections: rows.length ? [{ heading: 'Removed', body: table(['Resource', 'ARN'], rows) }] : [],
    }),
  };
}
