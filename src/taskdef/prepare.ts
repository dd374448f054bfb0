/**
 * The first step of every deploy and the whole of `register`: load the source definition,
 * apply the overrides, pin images by digest, then register it (or reuse an identical revision).
 */

import type { AwsClients } from '../aws/clients.js';
import { SettingsError } from '../settings/errors.js';
import type { ServiceTarget } from '../settings/settings.js';
import { type PinnedImage, pinImages } from './images.js';
import {
  describeTaskDefinition,
  type LiveTaskDefinition,
  liveTaskDefinitionArn,
  loadTaskDefinitionFile,
} from './load.js';
import { logPrepared } from './log.js';
import { maskSecretValues } from './mask.js';
import type { TaskDefinitionInput } from './normalize.js';
import { type RegisterResult, registerTaskDefinition, revisionOf } from './register.js';
import { RenderError, render } from './render.js';

export interface PreparedTaskDefinition extends RegisterResult {
  images: PinnedImage[];
  /** The revision the service ran before, when there is a service. */
  previousArn?: string;
  definition: TaskDefinitionInput;
}

function hasOverrides(target: ServiceTarget): boolean {
  const o = target.overrides;
  return !!(
    o.images.length ||
    o.environment.length ||
    o.secrets.length ||
    o.cpu ||
    o.memory ||
    o.taskRoleArn ||
    o.executionRoleArn ||
    o.dockerLabels?.length ||
    o.logDriver?.length ||
    o.logOptions?.length ||
    o.command?.length ||
    o.environmentFiles?.length
  );
}

/**
 * Everything about a target that can be checked without AWS, so bad input fails before the
 * first call: a file source is read, parsed and rendered here; an existing revision must not
 * come with overrides. Returns the rendered definition for a file source.
 */
export function checkOffline(target: ServiceTarget): TaskDefinitionInput | undefined {
  const source = target.taskDefinition;
  if (source.kind === 'existing' && hasOverrides(target)) {
    throw new SettingsError(
      `Input "task-definition" names an existing revision (${source.ref}); images, environment variables, secrets, cpu, memory and roles cannot be changed on it. Expected: a JSON file, or no "task-definition" to render the overrides onto the live service's definition.`,
    );
  }
  if (source.kind !== 'file') return undefined;
  return renderOrExplain(loadTaskDefinitionFile(source.path, source.display), target);
}

function renderOrExplain(source: TaskDefinitionInput, target: ServiceTarget): TaskDefinitionInput {
  try {
    return render(source, target.overrides);
  } catch (err) {
    if (err instanceof RenderError) throw new SettingsError(err.message);
    throw err;
  }
}

/**
 * The definition a deploy will register when it renders the overrides onto the live service's
 * (no "task-definition"), read before anything changes so it can be checked before the release
 * lock; undefined for a file (rendered offline) or an existing revision.
 */
export async function renderFromLiveService(
  clients: AwsClients,
  target: ServiceTarget,
): Promise<TaskDefinitionInput | undefined> {
  if (target.taskDefinition.kind !== 'service' || !target.service) return undefined;
  const liveArn = await liveTaskDefinitionArn(clients, target.cluster, target.service);
  return renderOrExplain((await describeTaskDefinition(clients, liveArn)).definition, target);
}

export async function prepareTaskDefinition(
  clients: AwsClients,
  target: ServiceTarget,
  options: { dryRun: boolean; pinImageDigests: boolean; rendered?: TaskDefinitionInput },
): Promise<PreparedTaskDefinition> {
  const source = target.taskDefinition;
  let live: LiveTaskDefinition | undefined;
  const liveArn = target.service
    ? await liveTaskDefinitionArn(clients, target.cluster, target.service)
    : undefined;

  if (source.kind === 'existing') {
    const existing = await describeTaskDefinition(clients, source.ref).catch((err: Error) => {
      throw new Error(
        `Task definition "${source.ref}" (input "task-definition") cannot be used: ${err.message}`,
      );
    });
    const images = (existing.definition.containerDefinitions ?? []).map((c) => ({
      container: c.name ?? '',
      image: c.image ?? '',
    }));
    return {
      arn: existing.arn,
      family: existing.definition.family!,
      revision: revisionOf(existing.arn),
      registered: false,
      diff: '',
      baselineLabel: liveArn ?? '',
      images,
      previousArn: liveArn,
      definition: existing.definition,
    };
  }

  let rendered = options.rendered;
  if (!rendered) {
    if (source.kind === 'file') rendered = checkOffline(target)!;
    else {
      live = await describeTaskDefinition(clients, liveArn!);
      rendered = renderOrExplain(live.definition, target);
    }
  }
  if (liveArn && !live) live = await describeTaskDefinition(clients, liveArn);
  maskSecretValues(rendered, live?.definition);
  const images = await pinImages(rendered, clients, options.pinImageDigests);
  const result = await registerTaskDefinition(clients, rendered, {
    dryRun: options.dryRun,
    live,
    showEnvironmentValues: target.diffEnvironmentValues,
  });
  return { ...result, images, previousArn: liveArn, definition: rendered };
}

/**
 * `prepareTaskDefinition` as a journal step with nothing to undo (a new revision changes
 * nothing that runs), logged the way every command logs it. The journal is given by shape:
 * release/ builds on taskdef/, not the other way round.
 */
export async function prepareAsStep(
  journal: { final<T>(what: string, fn: () => Promise<T>): Promise<T> },
  clients: AwsClients,
  target: ServiceTarget,
  options: { dryRun: boolean; pinImageDigests: boolean; rendered?: TaskDefinitionInput },
): Promise<PreparedTaskDefinition> {
  const p = await journal.final('register the task definition', () =>
    prepareTaskDefinition(clients, target, options),
  );
  logPrepared(p, options.dryRun);
  return p;
}
