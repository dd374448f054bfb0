import type { AwsClients } from '../aws/clients.js';
import { renderSummary, summary } from '../report/summary.js';
import type { RegisterSettings } from '../settings/settings.js';
import { imageDigests } from '../taskdef/log.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import type { PreparedTaskDefinition } from '../taskdef/prepare.js';
import { prepareOnce } from './prepare-once.js';
import type { CommandResult } from './result.js';

export async function registerCommand(
  settings: RegisterSettings,
  clients: AwsClients,
  rendered: (TaskDefinitionInput | undefined)[],
): Promise<CommandResult> {
  const prepared = await prepareOnce('Register task definition', settings, clients, rendered);
  return {
    outputs: {
      'task-definition-arn': prepared.arn ?? '',
      'task-definition-family': prepared.family,
      'task-definition-revision': prepared.revision !== undefined ? String(prepared.revision) : '',
      registered: String(prepared.registered),
      'image-digests': JSON.stringify(imageDigests(prepared)),
    },
    summary: registerSummary(prepared, settings.dryRun),
  };
}

export function registerSummary(p: PreparedTaskDefinition, dryRun: boolean): string {
  const outcome = dryRun ? 'dry-run' : p.registered ? 'succeeded' : 'unchanged';
  const headline = dryRun
    ? p.registered
      ? `Dry run: a new revision of **${p.family}** would be registered; nothing was changed.`
      : `Dry run: **${p.arn}** is identical and would be reused; nothing was changed.`
    : p.registered
      ? `Registered **${p.family}:${p.revision}**.`
      : `Reused **${p.family}:${p.revision}**: the rendered definition is identical.`;
  const s = summary('Task definition', outcome, headline);
  s.images = p.images.map((image) => ({ service: p.family, container: image.container, image }));
  s.diffs = [{ against: p.baselineLabel, diff: p.diff }];
  return renderSummary(s);
}
