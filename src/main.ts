/**
 * The action's entry: read settings once, check everything that needs no AWS, dispatch on
 * `command`, then set outputs, write the job summary and fail the step if the command failed.
 * Only this module calls `setFailed`, so no error is reported twice.
 */
import * as core from '@actions/core';
import { type ClientKind, createClients, resolveRegion } from './aws/clients.js';
import type { CommandResult } from './commands/result.js';
import { readInputs } from './settings/inputs.js';
import { readSettings } from './settings/read-settings.js';
import type { Settings } from './settings/settings.js';
import type { TaskDefinitionInput } from './taskdef/normalize.js';
import { checkOffline } from './taskdef/prepare.js';

/**
 * Each command's module is imported only when that command runs, with only the AWS clients it
 * calls: the bundle is split per command, so `register` does not load blue-green, previews or
 * four SDK clients it never uses. The switch narrows the settings to the command's own kind.
 */
async function runCommand(
  settings: Settings,
  region: string,
  rendered: (TaskDefinitionInput | undefined)[],
): Promise<CommandResult> {
  const clients = (kinds?: ClientKind[]) => createClients(region, kinds);
  switch (settings.command) {
    case 'deploy': {
      const [{ deployCommand }, aws] = await Promise.all([import('./commands/deploy.js'), clients()]);
      return deployCommand(settings, aws, rendered);
    }
    case 'register': {
      const [{ registerCommand }, aws] = await Promise.all([
        import('./commands/register.js'),
        clients(['ecs', 'ecr']),
      ]);
      return registerCommand(settings, aws, rendered);
    }
    case 'rollback': {
      const [{ rollbackCommand }, aws] = await Promise.all([
        import('./commands/rollback.js'),
        clients(['ecs', 'elb', 'cloudwatch', 'autoscaling']),
      ]);
      return rollbackCommand(settings, aws);
    }
    case 'preview-up': {
      const [{ previewUpCommand }, aws] = await Promise.all([
        import('./commands/preview-up.js'),
        clients(['ecs', 'ecr', 'elb']),
      ]);
      return previewUpCommand(settings, aws, rendered);
    }
    case 'preview-down': {
      const [{ previewDownCommand }, aws] = await Promise.all([
        import('./commands/preview-down.js'),
        clients(['ecs', 'elb']),
      ]);
      return previewDownCommand(settings, aws);
    }
    case 'preview-sweep': {
      const [{ previewSweepCommand }, aws] = await Promise.all([
        import('./commands/preview-sweep.js'),
        clients(['ecs', 'elb']),
      ]);
      return previewSweepCommand(settings, aws);
    }
    case 'run-task': {
      const [{ runTaskCommand }, aws] = await Promise.all([
        import('./commands/run-task.js'),
        clients(['ecs', 'ecr', 'logs']),
      ]);
      return runTaskCommand(settings, aws, rendered);
    }
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
    const result = await runCommand(settings, resolveRegion(settings.region, process.env), rendered);
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
