/**
 * The action's entry: read settings once, check everything that needs no AWS, dispatch on
 * `command`, then set outputs, write the job summary and fail the step if the command failed.
 * Only this module calls `setFailed`, so no error is reported twice.
 */
import * as core from '@actions/core';
import type { AwsClients } from './aws/clients.js';
import { createClients, resolveRegion } from './aws/clients.js';
import { deployCommand } from './commands/deploy.js';
import { previewDownCommand } from './commands/preview-down.js';
import { previewSweepCommand } from './commands/preview-sweep.js';
import { previewUpCommand } from './commands/preview-up.js';
import { registerCommand } from './commands/register.js';
import type { CommandResult } from './commands/result.js';
import { rollbackCommand } from './commands/rollback.js';
import { readInputs } from './settings/inputs.js';
import { readSettings } from './settings/read-settings.js';
import type { Settings } from './settings/settings.js';
import type { TaskDefinitionInput } from './taskdef/normalize.js';
import { checkOffline } from './taskdef/prepare.js';

/** Each command gets the settings of its own kind: the switch narrows them. */
function runCommand(
  settings: Settings,
  clients: AwsClients,
  rendered: (TaskDefinitionInput | undefined)[],
): Promise<CommandResult> {
  switch (settings.command) {
    case 'deploy':
      return deployCommand(settings, clients, rendered);
    case 'register':
      return registerCommand(settings, clients, rendered);
    case 'rollback':
      return rollbackCommand(settings, clients);
    case 'preview-up':
      return previewUpCommand(settings, clients, rendered);
    case 'preview-down':
      return previewDownCommand(settings, clients);
    case 'preview-sweep':
      return previewSweepCommand(settings, clients);
  }
}

export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // SDK errors carry their AWS code in `name`; our own errors already read as sentences.
  const aws = (err as { $metadata?: unknown }).$metadata !== undefined;
  return aws ? `${err.name}: ${err.message}` : err.message;
}

export async function run(): Promise<void> {
  try {
    const settings = readSettings({
      inputs: readInputs(),
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    });
    const rendered = settings.targets.map(checkOffline);
    const clients = createClients(resolveRegion(settings.region, process.env));
    const result = await runCommand(settings, clients, rendered);
    for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value);
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(result.summary, true).write();
    if (result.failure) core.setFailed(result.failure);
  } catch (err) {
    // A command that could not even report (bad input, an AWS error before any outcome) still
    // leaves a status a later step can branch on, and a summary that says why.
    const message = describeError(err);
    core.setOutput('status', 'failed');
    if (process.env.GITHUB_STEP_SUMMARY) {
      await core.summary
        .addRaw(`### Failed\n\n${message}\n`, true)
        .write()
        .catch(() => undefined);
    }
    core.setFailed(message);
  }
}
