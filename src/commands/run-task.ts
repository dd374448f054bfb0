/**
 * `command: run-task` — run a one-off task (a migration, a batch job) from the rendered task
 * definition or a named revision, placed like the service's tasks, and wait until it stops.
 * The step fails when an essential container exits non-zero or the task was stopped; a
 * cancelled job stops the task.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { runOneOffTask } from '../release/one-off-task.js';
import { runRelease } from '../release/runner.js';
import { renderSummary, summary } from '../report/summary.js';
import { taskSummary } from '../report/task-summary.js';
import type { RunTaskSettings } from '../settings/settings.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import { prepareOnce } from './prepare-once.js';
import type { CommandResult } from './result.js';

export async function runTaskCommand(
  settings: RunTaskSettings,
  clients: AwsClients,
  rendered: (TaskDefinitionInput | undefined)[],
): Promise<CommandResult> {
  const target = settings.targets[0]!;
  const prepared = await prepareOnce('Task definition', settings, clients, rendered);
  const base = { 'task-definition-arn': prepared.arn ?? '' };
  if (settings.dryRun || !prepared.arn) {
    return {
      outputs: { ...base, status: 'dry-run' },
      summary: renderSummary(
        summary(
          'One-off task',
          'dry-run',
          `**Dry run**: a task of **${prepared.family}** would run on cluster **${target.cluster}**; nothing was started.`,
        ),
      ),
    };
  }

  // A cancel stops the task at once (the undo of its journal step).
  const result = await runRelease(
    clients,
    { undoNow: 'Stopping the one-off task.' },
    async ({ journal, signal }) => {
      const r = await core.group('One-off task', () =>
        runOneOffTask(
          clients,
          journal,
          {
            cluster: target.cluster,
            service: target.service || undefined,
            taskDefinitionArn: prepared.arn!,
            definition: prepared.definition,
            container: target.overrides.container,
            options: settings.runTask,
            timeoutMs: settings.timeoutMs,
            pollIntervalMs: settings.pollIntervalMs,
          },
          signal,
        ),
      );
      // Timed out or cancelled before it stopped: it may still run; stop it before reporting (a
      // cancel handler's undo already under way is the same walk).
      if (r.containers.length === 0) await journal.undo(core.info);
      return r;
    },
  );
  const exitCodes = Object.fromEntries(result.containers.map((c) => [c.name, c.exitCode ?? null]));
  return {
    outputs: {
      ...base,
      'task-arn': result.taskArn ?? '',
      'exit-codes': JSON.stringify(exitCodes),
      status: result.status,
    },
    summary: renderSummary(taskSummary('One-off task', result, prepared.arn, target.service || undefined)),
    failure:
      result.status === 'succeeded'
        ? undefined
        : result.status === 'cancelled'
          ? 'The job was cancelled; the one-off task was stopped.'
          : `One-off task failed: ${result.reason}.`,
  };
}
