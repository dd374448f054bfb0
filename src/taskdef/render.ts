/**
 * Applies the overrides from settings to a task definition: images per container, merged
 * environment variables and secrets, task cpu/memory and roles. Pure: no AWS, no files.
 */
import type { KeyValuePair, Secret } from '@aws-sdk/client-ecs';
import type { Overrides } from '../settings/settings.js';
import type { Container, TaskDefinitionInput } from './normalize.js';

export class RenderError extends Error {
  override name = 'RenderError';
}

function containerNames(def: TaskDefinitionInput): string[] {
  return (def.containerDefinitions ?? []).map((c) => c.name ?? '');
}

/** Split `container/NAME` into its parts; unprefixed names belong to the main container. */
function target(key: string, main: string): [string, string] {
  const slash = key.indexOf('/');
  return slash < 0 ? [main, key] : [key.slice(0, slash), key.slice(slash + 1)];
}

/** The list with the item called `name` given `fields`: changed in place when present, else appended. */
function upsert<T extends { name?: string }>(list: T[] | undefined, name: string, fields: Partial<T>): T[] {
  const items = [...(list ?? [])];
  const existing = items.find((i) => i.name === name);
  if (existing) Object.assign(existing, fields);
  else items.push({ name, ...fields } as T);
  return items;
}

export function render(source: TaskDefinitionInput, overrides: Overrides): TaskDefinitionInput {
  const def: TaskDefinitionInput = structuredClone(source);
  if (!def.family) throw new RenderError('the task definition has no "family"');
  if (!def.containerDefinitions?.length)
    throw new RenderError('the task definition has no "containerDefinitions"');
  const names = containerNames(def);
  const main = overrides.container ?? names[0]!;
  const find = (name: string, input: string): Container => {
    const c = def.containerDefinitions!.find((x) => x.name === name) as Container | undefined;
    if (!c) {
      throw new RenderError(
        `Input "${input}": no container named "${name}" in task definition family "${def.family}". Expected one of: ${names.join(', ')}.`,
      );
    }
    return c;
  };
  if (overrides.container) find(overrides.container, 'container');

  for (const [container, image] of overrides.images) find(container || main, 'images').image = image;

  for (const [key, value] of overrides.environment) {
    const [container, name] = target(key, main);
    const c = find(container, 'environment-variables');
    c.environment = upsert<KeyValuePair>(c.environment, name, { value });
  }
  for (const [key, valueFrom] of overrides.secrets) {
    const [container, name] = target(key, main);
    const c = find(container, 'secrets');
    c.secrets = upsert<Secret>(c.secrets, name, { valueFrom });
  }
  for (const [key, value] of overrides.dockerLabels ?? []) {
    const [container, label] = target(key, main);
    const c = find(container, 'docker-labels');
    c.dockerLabels = { ...c.dockerLabels, [label]: value };
  }
  for (const [container, logDriver] of overrides.logDriver ?? []) {
    const c = find(container || main, 'log-driver');
    // A different driver's options mean nothing to the new one: start from none.
    c.logConfiguration =
      c.logConfiguration?.logDriver === logDriver ? c.logConfiguration : { logDriver: logDriver as never };
  }
  for (const [key, value] of overrides.logOptions ?? []) {
    const [container, option] = target(key, main);
    const c = find(container, 'log-options');
    if (!c.logConfiguration?.logDriver)
      throw new RenderError(
        `Input "log-options": container "${container}" has no log driver to give options to. Expected: a \`log-driver\` for it, or a logConfiguration in the task definition.`,
      );
    c.logConfiguration = {
      ...c.logConfiguration,
      options: { ...c.logConfiguration.options, [option]: value },
    };
  }
  for (const [container, command] of overrides.command ?? [])
    find(container || main, 'container-command').command = command;
  for (const [container, arn] of overrides.environmentFiles ?? []) {
    const c = find(container || main, 'env-files');
    const files = (c.environmentFiles ?? []).filter((f) => f.value !== arn);
    c.environmentFiles = [...files, { value: arn, type: 's3' }];
  }
  if (overrides.cpu) def.cpu = overrides.cpu;
  if (overrides.memory) def.memory = overrides.memory;
  if (overrides.taskRoleArn) def.taskRoleArn = overrides.taskRoleArn;
  if (overrides.executionRoleArn) def.executionRoleArn = overrides.executionRoleArn;
  return def;
}
