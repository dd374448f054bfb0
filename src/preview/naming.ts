/**
 * Every name and route of one preview, derived from the base service name and the pull
 * request number only (never from branch names or titles, which a pull request's author
 * controls). Checked against AWS's limits here, so a name AWS would reject is refused before
 * the first AWS call.
 */
import { createHash } from 'node:crypto';
import { SettingsError } from '../settings/errors.js';
import type { PreviewSettings } from '../settings/preview.js';

export interface PreviewNames {
  app: string;
  pullRequest: number;
  /** ECS service and task-definition family: `<app>-pr-<n>`. */
  service: string;
  family: string;
  /** At most 32 characters, unique per (app, pull request). */
  targetGroup: string;
  /** GitHub deployment environment: `pr-<n>`. */
  environment: string;
  /** The rule condition that routes to this preview. */
  condition: { field: 'host-header' | 'path-pattern'; values: string[] };
  /** The address people open. */
  url: string;
}

export const TARGET_GROUP_NAME_MAX = 32;
const SERVICE_NAME_MAX = 255;
/** ALB host-header and path-pattern values. */
const CONDITION_VALUE_MAX = 128;
const HASH_LENGTH = 6;

/** A short, stable hash of the full identity, so truncated names stay distinct. */
export function shortHash(app: string, pullRequest: number): string {
  return createHash('sha256').update(`${app}\u0000${pullRequest}`).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * `<app>-pr-<n>` when that is a valid target-group name as it is; otherwise the app part is
 * cleaned (only letters, digits, single inner hyphens), cut to fit, and a hash of the full
 * identity is appended: two apps that clean or cut to the same text still get distinct names.
 */
export function targetGroupName(app: string, pullRequest: number): string {
  const suffix = `-pr-${pullRequest}`;
  const plain = `${app}${suffix}`;
  if (plain.length <= TARGET_GROUP_NAME_MAX && /^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/.test(plain)) return plain;
  const hash = shortHash(app, pullRequest);
  const tail = `${suffix}-${hash}`;
  const cleaned = app
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, TARGET_GROUP_NAME_MAX - tail.length)
    .replace(/-+$/, '');
  return cleaned ? `${cleaned}${tail}` : `pr-${pullRequest}-${hash}`;
}

function refuse(input: string, message: string, expected: string): never {
  throw new SettingsError(`Input "${input}": ${message}. Expected: ${expected}.`);
}

/** The names of the AWS resources alone (what removal needs; no domain involved). */
export function resourceNames(
  app: string,
  pullRequest: number,
): Pick<PreviewNames, 'app' | 'pullRequest' | 'service' | 'family' | 'targetGroup' | 'environment'> {
  const service = `${app}-pr-${pullRequest}`;
  return {
    app,
    pullRequest,
    service,
    family: service,
    targetGroup: targetGroupName(app, pullRequest),
    environment: `pr-${pullRequest}`,
  };
}

export function previewNames(app: string, pullRequest: number, preview: PreviewSettings): PreviewNames {
  if (!Number.isInteger(pullRequest) || pullRequest < 1) {
    refuse('pull-request', `${pullRequest} is not a pull request number`, 'a whole number 1 or more');
  }
  const service = `${app}-pr-${pullRequest}`;
  if (service.length > SERVICE_NAME_MAX) {
    refuse(
      'service',
      `the preview service name "${service.slice(0, 40)}…" would be ${service.length} characters (ECS allows ${SERVICE_NAME_MAX})`,
      `a base service name of at most ${SERVICE_NAME_MAX - `-pr-${pullRequest}`.length} characters`,
    );
  }
  const domain = preview.domain;
  if (!domain) refuse('preview-domain', 'is not set', 'a domain such as `preview.example.com`');
  const label = `pr-${pullRequest}`;
  let condition: PreviewNames['condition'];
  let url: string;
  if (preview.routing === 'host') {
    const host = `${label}.${domain}`;
    if (host.length > CONDITION_VALUE_MAX) {
      refuse(
        'preview-domain',
        `the preview host "${host}" would be ${host.length} characters (an ALB host-header condition allows ${CONDITION_VALUE_MAX})`,
        `a domain of at most ${CONDITION_VALUE_MAX - label.length - 1} characters`,
      );
    }
    condition = { field: 'host-header', values: [host] };
    url = `https://${host}`;
  } else {
    // Both the bare prefix and everything under it, so `/pr-12` and `/pr-12/…` reach the preview.
    condition = { field: 'path-pattern', values: [`/${label}`, `/${label}/*`] };
    url = `https://${domain}/${label}/`;
  }
  return { ...resourceNames(app, pullRequest), condition, url };
}
