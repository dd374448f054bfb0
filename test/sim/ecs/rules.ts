/**
 * ECS validation rules the API reference states and the simulator holds callers to: tag limits,
 * the short service ARN, the task-definition size, what UpdateService may change under each
 * deployment controller, ListTasks' `startedBy` filter. Kept apart from the handlers so each rule
 * has one place and one test (`tests/ecs-fidelity.test.ts`); sources in `../README.md`.
 */
import { AwsError } from '../core/errors.js';
import type { Service, Tag } from './model.js';

const invalid = (message: string) => new AwsError('InvalidParameterException', message);

export const MAX_TAGS = 50;
const MAX_KEY = 128;
const MAX_VALUE = 256;
/** Letters, numbers and spaces representable in UTF-8, and `+ - = . _ : / @` (the Tag shape's pattern). */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const RESERVED = /^aws:/i;

/** `aws:` tags are the ones AWS itself manages (`aws:ecs:…`); they do not count against 50. */
export function userTagCount(tags: Tag[]): number {
  return tags.filter((t) => !RESERVED.test(t.key)).length;
}

/** Validate tags a caller asks to add (TagResource, and `tags` of the create calls). */
export function checkTags(tags: Tag[]): void {
  for (const t of tags) {
    const key = t.key ?? '';
    const value = t.value ?? '';
    if (key.length < 1 || [...key].length > MAX_KEY) {
      throw invalid(`Tag key must be between 1 and ${MAX_KEY} characters: '${key.slice(0, 40)}'.`);
    }
    if ([...value].length > MAX_VALUE) {
      throw invalid(`Tag value of key '${key}' must be at most ${MAX_VALUE} characters.`);
    }
    if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value)) {
      throw invalid(
        `Tag '${key}' contains characters that are not allowed: use letters, numbers, spaces and + - = . _ : / @.`,
      );
    }
    if (RESERVED.test(key) || RESERVED.test(value)) {
      throw invalid(`Tag '${key}' uses the 'aws:' prefix, which is reserved for AWS use.`);
    }
  }
}

export function checkTagCount(tags: Tag[]): void {
  if (userTagCount(tags) > MAX_TAGS) throw invalid('Too many tags were specified.');
}

/** Untagging an `aws:` key is refused as editing one is. */
export function checkUntagKeys(keys: string[]): void {
  for (const key of keys) {
    if (RESERVED.test(key))
      throw invalid(`Tag '${key}' uses the 'aws:' prefix, which is reserved for AWS use.`);
  }
}

/** The message ECS gives when a service with the old, short ARN is tagged (observed). */
export const SHORT_ARN_TAGGING =
  'The new ARN and resource ID format must be enabled to add tags to the service. Opt in to the new format and try again.';

export function checkTaggableService(service: Service): void {
  if (service.shortArn) throw invalid(SHORT_ARN_TAGGING);
}

/** 64 KiB, measured on the request's JSON, as the quota is stated. */
export const MAX_TASK_DEFINITION_BYTES = 65536;

export function checkTaskDefinitionSize(input: Record<string, unknown>): void {
  const size = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (size > MAX_TASK_DEFINITION_BYTES) {
    throw new AwsError(
      'ClientException',
      `Actual length: '${size}'. Max allowed length is '${MAX_TASK_DEFINITION_BYTES}' bytes.`,
    );
  }
}

export type ControllerType = 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';

export function controllerOf(service: Service): ControllerType {
  return ((service.extra.deploymentController as { type?: ControllerType } | undefined)?.type ??
    'ECS') as ControllerType;
}

/**
 * What UpdateService may change per controller. CODE_DEPLOY: desired count, deployment
 * configuration, grace period, placement, managed tags, propagate tags; EXTERNAL: the same
 * without the deployment configuration. Everything else needs CodeDeploy or a task set.
 */
const ALLOWED_UPDATES: Record<Exclude<ControllerType, 'ECS'>, Set<string>> = {
  CODE_DEPLOY: new Set([
    'desiredCount',
    'deploymentConfiguration',
    'healthCheckGracePeriodSeconds',
    'placementConstraints',
    'placementStrategy',
    'enableECSManagedTags',
    'propagateTags',
  ]),
  EXTERNAL: new Set([
    'desiredCount',
    'healthCheckGracePeriodSeconds',
    'placementConstraints',
    'placementStrategy',
    'enableECSManagedTags',
    'propagateTags',
  ]),
};
const ROUTING = new Set(['cluster', 'service']);

export function checkUpdateForController(service: Service, p: Record<string, unknown>): void {
  const type = controllerOf(service);
  if (type !== 'ECS') {
    const allowed = ALLOWED_UPDATES[type];
    for (const [k, v] of Object.entries(p)) {
      if (v === undefined || ROUTING.has(k) || allowed.has(k)) continue;
      if (k === 'forceNewDeployment' && v === false) continue;
      if (k === 'taskDefinition') {
        throw invalid(
          `Unable to update task definition on services with a ${type} deployment controller. ${
            type === 'CODE_DEPLOY'
              ? 'Use AWS CodeDeploy to trigger a new deployment.'
              : 'Use a task set to deploy a new task definition.'
          }`,
        );
      }
      throw invalid(`Unable to update ${k} on services with a ${type} deployment controller.`);
    }
  }
  checkCircuitBreakerController(type, p.deploymentConfiguration);
}

/** The circuit breaker exists only for the rolling (ECS) controller. */
export function checkCircuitBreakerController(type: ControllerType, deploymentConfiguration: unknown): void {
  const breaker = (deploymentConfiguration as { deploymentCircuitBreaker?: { enable?: boolean } } | undefined)
    ?.deploymentCircuitBreaker;
  if (type !== 'ECS' && breaker?.enable) {
    throw invalid(
      'Deployment circuit breaker is only supported for services using the ECS deployment controller.',
    );
  }
}

/** "When you specify startedBy as the filter, it must be the only filter that you use." */
export function checkListTasksFilters(p: Record<string, unknown>): void {
  if (p.startedBy === undefined) return;
  const others = ['serviceName', 'family', 'containerInstance', 'launchType', 'desiredStatus'].filter(
    (k) => p[k] !== undefined,
  );
  if (others.length) {
    throw invalid(`startedBy must be the only filter: remove ${others.join(', ')}.`);
  }
}
