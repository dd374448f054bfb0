/**
 * The preview's task definition: the base service's (or the given file's) definition with the
 * overrides from settings, in the preview's own family (so preview revisions never become a
 * "previous revision" of the base service and can be deregistered together), at preview size,
 * tagged as the preview.
 */
import type { AwsClients } from '../aws/clients.js';
import type { PreviewSettings } from '../settings/preview.js';
import type { ServiceTarget } from '../settings/settings.js';
import { type PinnedImage, pinImages } from '../taskdef/images.js';
import { describeTaskDefinition } from '../taskdef/load.js';
import { maskSecretValues } from '../taskdef/mask.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import { registerTaskDefinition } from '../taskdef/register.js';
import { render } from '../taskdef/render.js';
import type { PreviewNames } from './naming.js';
import { type PreviewTags, previewTags } from './tags.js';

/** The smallest Fargate size: a preview serves a reviewer, not production traffic. */
export const PREVIEW_CPU = '256';
export const PREVIEW_MEMORY = '512';

/**
 * Shrinks task cpu/memory to the preview size unless the settings chose sizes, or a container
 * reserves more than the preview size (the definition would then be rejected).
 */
export function previewSize(def: TaskDefinitionInput, target: ServiceTarget): TaskDefinitionInput {
  const out = { ...def };
  const containers = def.containerDefinitions ?? [];
  const needsCpu = containers.reduce((n, c) => n + (c.cpu ?? 0), 0);
  const needsMemory = Math.max(0, ...containers.map((c) => c.memory ?? c.memoryReservation ?? 0));
  if (shrinks(target.overrides.cpu, def.cpu, PREVIEW_CPU, needsCpu)) out.cpu = PREVIEW_CPU;
  if (shrinks(target.overrides.memory, def.memory, PREVIEW_MEMORY, needsMemory)) out.memory = PREVIEW_MEMORY;
  return out;
}

/** Whether one size (cpu or memory) goes down to the preview's: not chosen, larger, and enough for the containers. */
function shrinks(
  chosen: unknown,
  size: string | undefined,
  preview: string,
  containersNeed: number,
): boolean {
  return !chosen && !!size && Number(size) > Number(preview) && containersNeed <= Number(preview);
}

/**
 * What a preview runs with, whatever its source definition says: no task role, execution role
 * or secret of the base service (they are production's, and the preview runs the pull
 * request's code), only the ones the base config names for previews, plus the pull request's
 * environment values the base config allows by name. Without a preview
 * execution role nothing can use one: private-registry credentials and log configuration go too.
 */
export function isolatePreview(
  def: TaskDefinitionInput,
  target: ServiceTarget,
  preview: Pick<PreviewSettings, 'taskRoleArn' | 'executionRoleArn' | 'secrets' | 'environment'>,
): TaskDefinitionInput {
  const out = structuredClone(def);
  delete out.taskRoleArn;
  delete out.executionRoleArn;
  if (preview.taskRoleArn) out.taskRoleArn = preview.taskRoleArn;
  if (preview.executionRoleArn) out.executionRoleArn = preview.executionRoleArn;
  for (const c of out.containerDefinitions ?? []) {
    delete c.secrets;
    if (c.logConfiguration) delete c.logConfiguration.secretOptions;
    if (!preview.executionRoleArn) {
      delete c.repositoryCredentials;
      delete c.logConfiguration;
    }
  }
  if (!preview.secrets.length && !preview.environment.length) return out;
  // The pull request's values (names the base config allows) go into the preview's container.
  return render(out, {
    images: [],
    environment: preview.environment,
    secrets: preview.secrets,
    container: target.overrides.container,
  });
}

export interface PreviewTaskDefinition {
  arn: string;
  images: PinnedImage[];
}

export async function registerPreviewTaskDefinition(
  clients: AwsClients,
  options: {
    target: ServiceTarget;
    preview: PreviewSettings;
    names: PreviewNames;
    baseTaskDefinitionArn: string;
    /** A definition rendered from a file (input "task-definition"); else the base service's. */
    rendered?: TaskDefinitionInput;
    tags: PreviewTags;
    pinImageDigests: boolean;
  },
): Promise<PreviewTaskDefinition> {
  let def = options.rendered;
  if (!def) {
    const source =
      options.target.taskDefinition.kind === 'existing'
        ? options.target.taskDefinition.ref
        : options.baseTaskDefinitionArn;
    def = render((await describeTaskDefinition(clients, source)).definition, options.target.overrides);
  }
  def = isolatePreview(def, options.target, options.preview);
  def = previewSize({ ...def, family: options.names.family }, options.target);
  def.tags = previewTags(options.tags);
  maskSecretValues(def);
  const images = await pinImages(def, clients, options.pinImageDigests);
  const registered = await registerTaskDefinition(clients, def, { dryRun: false });
  return { arn: registered.arn!, images };
}
