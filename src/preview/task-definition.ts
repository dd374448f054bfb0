/**
 * The preview's task definition: the base service's (or the given file's) definition with the
 * overrides from settings, in the preview's own family (so preview revisions never become a
 * "previous revision" of the base service and can be deregistered together), at preview size,
 * tagged as the preview.
 */
import type { AwsClients } from '../aws/clients.js';
import type { ServiceTarget } from '../settings/settings.js';
import { type PinnedImage, pinImages } from '../taskdef/images.js';
import { describeTaskDefinition } from '../taskdef/load.js';
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
  if (
    !target.overrides.cpu &&
    def.cpu &&
    Number(def.cpu) > Number(PREVIEW_CPU) &&
    needsCpu <= Number(PREVIEW_CPU)
  ) {
    out.cpu = PREVIEW_CPU;
  }
  if (
    !target.overrides.memory &&
    def.memory &&
    Number(def.memory) > Number(PREVIEW_MEMORY) &&
    needsMemory <= Number(PREVIEW_MEMORY)
  ) {
    out.memory = PREVIEW_MEMORY;
  }
  return out;
}

export interface PreviewTaskDefinition {
  arn: string;
  images: PinnedImage[];
}

export async function registerPreviewTaskDefinition(
  clients: AwsClients,
  options: {
    target: ServiceTarget;
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
  def = previewSize({ ...def, family: options.names.family }, options.target);
  def.tags = previewTags(options.tags);
  const images = await pinImages(def, clients, options.pinImageDigests);
  const registered = await registerTaskDefinition(clients, def, { dryRun: false });
  return { arn: registered.arn!, images };
}
