/** The task-definition step of the commands that touch no service (register, run-task). */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { runRelease } from '../release/runner.js';
import type { RegisterSettings, RunTaskSettings } from '../settings/settings.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import { prepareAsStep } from '../taskdef/prepare.js';

/** Register (or reuse) the one target's task definition as a journal step, in a log group titled `title`. */
export function prepareOnce(
  title: string,
  settings: RegisterSettings | RunTaskSettings,
  clients: AwsClients,
  rendered: (TaskDefinitionInput | undefined)[],
) {
  const target = settings.targets[0]!;
  return runRelease(clients, 'exit', ({ journal }) =>
    core.group(title, () =>
      prepareAsStep(journal, clients, target, {
        dryRun: settings.dryRun,
        pinImageDigests: settings.pinImageDigests,
        rendered: rendered[0],
      }),
    ),
  );
}
