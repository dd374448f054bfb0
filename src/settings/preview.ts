/**
 * Resolves the preview keys of the merged settings into `PreviewSettings` for the three
 * preview commands: defaults, the keys each command needs, and the two input-only values
 * (`pull-request`, `github-token`).
 */
import type { SmokeTest } from './blue-green-fields.js';
import { SettingsError } from './errors.js';
import type { Command, Layer } from './schema.js';
import { parseLinePairs } from './values.js';

export interface PreviewSettings {
  /** Shared preview listener ARN. */
  listener: string;
  /** `preview.example.com`; required by `preview-up`/`preview-down`. */
  domain?: string;
  routing: 'host' | 'path';
  /** Where smoke tests connect (the listener's own address), instead of the preview host. */
  testUrl?: string;
  ttlMs: number;
  priorities: { from: number; to: number };
  /** Tasks of a preview service. */
  desiredCount: number;
  smokeTests: SmokeTest[];
  smokeTimeoutMs: number;
  /**
   * What a preview runs with instead of the base service's roles and secrets: only what the
   * base config names for previews (nothing, when it names nothing).
   */
  taskRoleArn?: string;
  executionRoleArn?: string;
  secrets: [string, string][];
  /**
   * The pull request's own environment values (input `preview-environment`), only names the base
   * config allows (`preview-allowed-environment`); they go into the preview's container.
   */
  environment: [string, string][];
  /** From input `pull-request`; otherwise the command reads it from the event. */
  pullRequest?: number;
  /** Token for the pull-request comment and the GitHub deployment; none means no GitHub report. */
  githubToken?: string;
}

export const PREVIEW_DEFAULTS = {
  routing: 'host' as const,
  // A week after the last push: long enough for a slow review, short enough to bound the bill.
  ttlMs: 7 * 24 * 3_600_000,
  priorities: { from: 1000, to: 50_000 },
  desiredCount: 1,
  smokeTimeoutMs: 5 * 60_000,
};

const PR_NUMBER = /^[1-9]\d{0,8}$/;

export function parsePullRequest(raw: string | undefined): number | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  if (!PR_NUMBER.test(text)) {
    throw new SettingsError(
      `Input "pull-request" is invalid ("${text}"). Expected: a pull request number such as \`12\` (1 to 999999999).`,
    );
  }
  return Number(text);
}

export function resolvePreview(
  s: Layer,
  inputs: Record<string, string>,
  command: Extract<Command, `preview-${string}`>,
): PreviewSettings {
  if (!s['preview-listener']) {
    throw new SettingsError(
      `Input "preview-listener" is required for command "${command}". Expected: the ARN of the shared preview listener that gets one rule per pull request.`,
    );
  }
  if (command !== 'preview-sweep' && !s['preview-domain']) {
    throw new SettingsError(
      `Input "preview-domain" is required for command "${command}". Expected: the domain previews live under, such as \`preview.example.com\`.`,
    );
  }
  return {
    listener: s['preview-listener'],
    domain: s['preview-domain'],
    routing: s['preview-routing'] ?? PREVIEW_DEFAULTS.routing,
    testUrl: s['preview-test-url']?.replace(/\/+$/, ''),
    ttlMs: s['preview-ttl'] ?? PREVIEW_DEFAULTS.ttlMs,
    priorities: s['preview-priority-range'] ?? PREVIEW_DEFAULTS.priorities,
    desiredCount: s['desired-count'] ?? PREVIEW_DEFAULTS.desiredCount,
    smokeTests: s['smoke-tests'] ?? [],
    smokeTimeoutMs: s['smoke-timeout'] ?? PREVIEW_DEFAULTS.smokeTimeoutMs,
    taskRoleArn: s['preview-task-role-arn'],
    executionRoleArn: s['preview-execution-role-arn'],
    secrets: s['preview-secrets'] ?? [],
    environment: pullRequestEnvironment(
      inputs['preview-environment'],
      s['preview-allowed-environment'] ?? [],
    ),
    pullRequest: parsePullRequest(inputs['pull-request']),
    githubToken: inputs['github-token']?.trim() || undefined,
  };
}

/**
 * The pull request's `NAME=value` lines, checked against the names the base config allows.
 * The values come from the pull request and may be anything: no message here shows one.
 */
export function pullRequestEnvironment(
  raw: string | undefined,
  allowed: readonly string[],
): [string, string][] {
  if (!raw?.trim()) return [];
  const allowedText = allowed.length ? allowed.join(', ') : 'none';
  const parsed = parseLinePairs(raw);
  if ('badLine' in parsed) {
    throw new SettingsError(
      `Input "preview-environment" is invalid: line ${parsed.badLine} has no "NAME=" before its value. Expected: \`NAME=value\`, one per line, with names the base config allows in "preview-allowed-environment" (${allowedText}).`,
    );
  }
  const seen = new Set<string>();
  for (const [name] of parsed.pairs) {
    if (!allowed.includes(name)) {
      const shown = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name)
        ? name
        : 'a name that is not a valid environment variable name';
      throw new SettingsError(
        `Input "preview-environment" sets ${shown}, which the base config does not allow for previews. Expected: only names listed in "preview-allowed-environment" of the base config (${allowedText}).`,
      );
    }
    if (seen.has(name)) {
      throw new SettingsError(
        `Input "preview-environment" sets ${name} twice. Expected: each allowed name at most once.`,
      );
    }
    seen.add(name);
  }
  return parsed.pairs;
}
