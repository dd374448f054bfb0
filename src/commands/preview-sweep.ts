/**
 * `command: preview-sweep`: every preview of the repository whose pull request is closed, or
 * whose time is up, removed; one stuck preview does not keep the others.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { announcerFor, reportTime } from '../preview/announce.js';
import { removePreview } from '../preview/down.js';
import { previewNames } from '../preview/naming.js';
import { repositoryName } from '../preview/pull-request.js';
import { decide, findPreviews } from '../preview/sweep.js';
import { runRelease } from '../release/runner.js';
import { runUrl } from '../report/github.js';
import { table } from '../report/markdown.js';
import { renderSummary, summary } from '../report/summary.js';
import type { PreviewSweepSettings } from '../settings/settings.js';
import type { CommandResult } from './result.js';

export async function previewSweepCommand(
  settings: PreviewSweepSettings,
  clients: AwsClients,
): Promise<CommandResult> {
  const { preview } = settings;
  const repository = repositoryName(settings.run);
  const cluster = settings.targets[0]!.cluster;
  const app = settings.targets[0]!.service || undefined;
  const announcer = announcerFor(preview, repository, settings.run);
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
  // Every removal is final: a cancelled sweep leaves nothing to undo, the next sweep goes on.
  await runRelease(clients, 'exit', async ({ journal }) => {
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
            journal,
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
          runUrl: runUrl(settings.run),
          at: reportTime(),
        });
      } catch (err) {
        // One stuck preview must not keep the others billing: note it and go on.
        failures.push(`${label}: ${(err as Error).message}`);
        rows.push([label, `#${p.pullRequest}`, 'FAILED', (err as Error).message]);
      }
    }
  });
  return {
    outputs: { removed: JSON.stringify(removedNames), status: failures.length ? 'failed' : 'swept' },
    summary: renderSummary({
      ...summary(
        'Preview sweep',
        failures.length ? 'failed' : 'removed',
        `Removed ${removedNames.length} of ${found.length} preview${found.length === 1 ? '' : 's'}.`,
      ),
      sections: rows.length
        ? [{ heading: 'Previews', body: table(['Preview', 'Pull request', 'Action', 'Why'], rows) }]
        : [],
    }),
    failure: failures.length ? `The sweep could not remove: ${failures.join('; ')}` : undefined,
  };
}
