/**
 * Every AWS call a scenario's run sends must be allowed by the IAM role that job runs as
 * (iam/roles.ts): a run of `command: rollback` only sends what the rollback role allows, and so
 * on. The operations each role was seen sending are also recorded, so a test can show a role
 * allows nothing its scenarios never send.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allowedActions, type RoleName } from '../../iam/roles.js';
import { ACTION_NAME } from '../../src/version.js';
import type { RunOptions } from '../harness/run-action.js';
import type { CallRecord } from '../sim/core/call-log.js';

/** The simulator's service names to IAM's service prefixes. */
export const IAM_PREFIX: Record<string, string> = {
  ecs: 'ecs',
  ecr: 'ecr',
  elbv2: 'elasticloadbalancing',
  cloudwatch: 'cloudwatch',
  autoscaling: 'application-autoscaling',
  logs: 'logs',
};

export function iamAction(call: Pick<CallRecord, 'service' | 'operation'>): string {
  const prefix = IAM_PREFIX[call.service];
  if (!prefix) throw new Error(`no IAM prefix for simulator service "${call.service}"; add it to IAM_PREFIX`);
  return `${prefix}:${call.operation}`;
}

/** The role a run assumes: the command, and for deploys the strategy (input or config file). */
export function roleOfRun(options: RunOptions): RoleName {
  const command = String(options.inputs?.command ?? 'deploy');
  if (command.startsWith('preview-')) return 'preview';
  if (command === 'rollback') return 'rollback';
  let strategy = String(options.inputs?.strategy ?? '');
  const config = options.inputs?.config;
  if (!strategy && options.workspace) {
    const file = path.join(options.workspace, String(config ?? '.github/deploy.yml'));
    if (existsSync(file) && /strategy:\s*['"]?blue-green/.test(readFileSync(file, 'utf8')))
      strategy = 'blue-green';
  }
  // ECS-native blue/green runs as the blue-green deploy role (listener reads, alarms, metrics).
  return strategy === 'blue-green' || strategy === 'ecs-blue-green' ? 'deploy-blue-green' : 'deploy-rolling';
}

/** Where observed calls are recorded (one line per role and action). */
export const OBSERVED_DIR = path.join(os.tmpdir(), 'deploy-action-iam-observed');

export function checkCallsAllowed(role: RoleName, calls: CallRecord[]): void {
  const allowed = allowedActions(role);
  // The test's own set-up calls (alarm states, scaling) carry no action user agent.
  const sent = [...new Set(calls.filter((c) => c.userAgent?.includes(ACTION_NAME)).map(iamAction))];
  mkdirSync(OBSERVED_DIR, { recursive: true });
  appendFileSync(path.join(OBSERVED_DIR, `${role}.txt`), sent.map((a) => `${a}\n`).join(''));
  const missing = sent.filter((a) => !allowed.has(a)).sort();
  if (missing.length) {
    throw new Error(
      `The ${role} role's policy does not allow ${missing.join(', ')}, which this run sent. ` +
        `Add ${missing.map((a) => `'${a}'`).join(', ')} to the actions of the matching statement of ROLES['${role}'] in iam/roles.ts, then run \`npm run iam\`.`,
    );
  }
}
