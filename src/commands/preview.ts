/**
 * `command: preview-up`, `preview-down` and `preview-sweep`: one pull request's preview
 * environment brought up (or updated), removed, and every finished one swept away. The names
 * and routes are checked before the first AWS call; the pull request hears about the outcome
 * either way.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { Announcer, reportTime, runUrl } from '../preview/announce.js';
import { nothingRemoved, type RemovedResources, removePreview } from '../preview/down.js';
import { type PreviewNames, previewNames } from '../preview/naming.js';
import { type PullRequestRef, repositoryName, resolvePullRequest } from '../preview/pull-request.js';
import { decide, findPreviews } from '../preview/sweep.js';
import type { PreviewTags } from '../preview/tags.js';
import { bringUp, sentence } from '../preview/up.js';
import { table } from '../report/markdown.js';
import { type PreviewReport, previewMarkdown } from '../report/preview-comment.js';
import type { PreviewSettings } from '../settings/preview.js';
import type { ServiceTarget, Settings } from '../settings/settings.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import type { CommandResult } from './result.js';

function previewSettings(settings: Settings): PreviewSettings {
  // readSettings always sets these for preview commands; this guards the type only.
  if (!settings.preview) throw new Error(`Command "${settings.command}" has no preview settings.`);
  if (settings.preview.githubToken) core.setSecret(settings.preview.githubToken);
  return settings.preview;
}

/** Everything checked without AWS: the pull request, and names and routes AWS would accept. */
function plan(settings: Settings): {
  target: ServiceTarget;
  preview: PreviewSettings;
  pr: PullRequestRef;
  names: PreviewNames;
} {
  const preview = previewSettings(settings);
  const target = settings.targets[0]!;
  const pr = resolvePullRequest(preview.pullRequest);
  return { target, preview, pr, names: previewNames(target.service, pr.number, preview) };
}

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
  settings: Settings,
  clients: AwsClients,
  rendered: (TaskDefinitionInput | undefined)[],
): Promise<CommandResult> {
  const { target, preview, pr, names } = plan(settings);
  if (preview.desiredCount < 1) {
    throw new Error(
      'Input "desired-count" is 0: a preview needs at least one task. Expected: a whole number 1 or more.',
    );
  }
  core.info(
    `Preview of ${names.app} for pull request #${pr.number} at ${names.url} (commit ${pr.commit.slice(0, 7)}).`,
  );
  const announcer = Announcer.create(preview.githubToken);
  const report = (status: PreviewReport['status'], extra: Partial<PreviewReport> = {}): PreviewReport => ({
    app: names.app,
    pullRequest: pr.number,
    url: names.url,
    commit: pr.commit,
    status,
    smoke: [],
    runUrl: runUrl(),
    at: reportTime(),
    ...extra,
  });
  await announcer?.deploymentStarted(names.environment, pr.commit, names.app);
  await announcer?.comment(report('deploying'));

  const outcome = await bringUp(clients, {
    target,
    preview,
    names,
    tags: tagsFor(names, pr, preview),
    rendered: rendered[0],
    pinImageDigests: settings.pinImageDigests,
    timeoutMs: settings.timeoutMs,
    pollIntervalMs: settings.pollIntervalMs,
  });
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
    summary: [
      '## Preview',
      previewMarkdown(final),
      table(
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
    ].join('\n\n'),
    failure: outcome.ok
      ? undefined
      : `Preview of ${names.app} for #${pr.number} failed: ${sentence(outcome.reason ?? 'unknown reason')} Remove what was created with \`command: preview-down\` (or push a fix).`,
  };
}

function removedRows(r: RemovedResources): string[][] {
  return [
    ...r.rules.map((a) => ['listener rule', a]),
    ...(r.service ? [['service', r.service]] : []),
    ...r.targetGroups.map((a) => ['target group', a]),
    ...r.taskDefinitions.map((a) => ['task definition (deregistered)', a]),
  ];
}

export async function previewDownCommand(settings: Settings, clients: AwsClients): Promise<CommandResult> {
  const { target, preview, pr, names } = plan(settings);
  const removed = await core.group(`Remove preview ${names.service}`, () =>
    removePreview(clients, {
      cluster: target.cluster,
      listenerArn: preview.listener,
      app: names.app,
      pullRequest: pr.number,
      log: core.info,
    }),
  );
  const gone = nothingRemoved(removed)
    ? 'Nothing was left to remove.'
    : `Removed ${removedRows(removed).length} resources.`;
  core.info(gone);
  const announcer = Announcer.create(preview.githubToken);
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
    runUrl: runUrl(),
    at: reportTime(),
  });
  const rows = removedRows(removed);
  return {
    outputs: { status: 'removed', 'preview-service': names.service, 'pull-request': String(pr.number) },
    summary: [
      `## Preview removed: ${names.service}`,
      gone,
      rows.length ? table(['Resource', 'ARN'], rows) : '',
    ].join('\n\n'),
  };
}

export async function previewSweepCommand(settings: Settings, clients: AwsClients): Promise<CommandResult> {
  const preview = previewSettings(settings);
  const cluster = settings.targets[0]!.cluster;
  const app = settings.targets[0]!.service || undefined;
  const repository = repositoryName();
  const announcer = Announcer.create(preview.githubToken);
  const found = await core.group('Find previews', async () => {
    const list = await findPreviews(clients, { cluster, listenerArn: preview.listener, repository, app });
    core.info(`Found ${list.length} preview${list.length === 1 ? '' : 's'} of ${repository}.`);
    return list;
  });
  const now = new Date();
  const stateOf = announcer ? (n: number) => announcer.pullRequestState(n) : undefined;
  const rows: string[][] = [];
  const removedNames: string[] = [];
  const failures: string[] = [];
  for (const p of found) {
    const decision = await decide(p, now, stateOf);
    const label = `${p.app}-pr-${p.pullRequest}`;
    if (!decision.remove) {
      core.info(`${label}: kept (${decision.why}).`);
      rows.push([label, `#${p.pullRequest}`, 'kept', decision.why]);
      continue;
    }
    try {
      await core.group(`Remove ${label} (${decision.why})`, () =>
        removePreview(clients, {
          cluster,
          listenerArn: preview.listener,
          app: p.app,
          pullRequest: p.pullRequest,
          log: core.info,
        }),
      );
      removedNames.push(label);
      rows.push([
        label,
        `#${p.pullRequest}`,
        'removed',
        decision.why === 'expired' ? `expired ${p.expires?.toISOString()}` : 'pull request closed',
      ]);
      const why =
        decision.why === 'expired'
          ? 'Preview removed: it expired.'
          : 'Preview removed: the pull request is closed.';
      await announcer?.deploymentsRemoved(`pr-${p.pullRequest}`, why);
      await announcer?.comment({
        app: p.app,
        pullRequest: p.pullRequest,
        url: preview.domain ? previewNames(p.app, p.pullRequest, preview).url : '',
        commit: p.commit,
        status: 'removed',
        reason: why,
        smoke: [],
        runUrl: runUrl(),
        at: reportTime(),
      });
    } catch (err) {
      // One stuck preview must not keep the others billing: note it and go on.
      failures.push(`${label}: ${(err as Error).message}`);
      rows.push([label, `#${p.pullRequest}`, 'FAILED', (err as Error).message]);
    }
  }
  return {
    outputs: { removed: JSON.stringify(removedNames), status: failures.length ? 'failed' : 'swept' },
    summary: [
      `## Preview sweep`,
      `Removed ${removedNames.length} of ${found.length} preview${found.length === 1 ? '' : 's'}.`,
      rows.length ? table(['Preview', 'Pull request', 'Action', 'Why'], rows) : '',
    ].join('\n\n'),
    failure: failures.length ? `The sweep could not remove: ${failures.join('; ')}` : undefined,
  };
}
