/**
 * Registers a rendered task definition, or reuses the family's latest revision when it is the
 * same (so re-running a deploy does not pile up identical revisions), or in a dry run only
 * shows what would change.
 */
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { familyRevision } from '../aws/arn.js';
import type { AwsClients } from '../aws/clients.js';
import { diffDefinitions } from './diff.js';
import { canonicalJson, type TaskDefinitionInput, toRegisterInput } from './normalize.js';

export interface RegisterResult {
  /** Undefined only in a dry run that would register a new revision. */
  arn?: string;
  family: string;
  revision?: number;
  /** True when a new revision was registered (or would be, in a dry run). */
  registered: boolean;
  /** Unified diff against `baseline`, empty when equal. */
  diff: string;
  /** What the diff compares against: the live definition, or the family's latest revision. */
  baselineLabel: string;
}

export function revisionOf(arn: string): number {
  return Number(arn.slice(arn.lastIndexOf(':') + 1));
}

async function latestRevision(clients: AwsClients, family: string) {
  try {
    const out = await clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }),
    );
    const td = out.taskDefinition;
    return td?.taskDefinitionArn
      ? { arn: td.taskDefinitionArn, definition: toRegisterInput(td, out.tags) }
      : undefined;
  } catch (err) {
    // A family that was never registered is not an error here: the first revision is new.
    if ((err as Error).name === 'ClientException') return undefined;
    throw err;
  }
}

/** ECS's quota on a task definition, measured on its JSON. */
export const MAX_TASK_DEFINITION_BYTES = 64 * 1024;

/** Refuse a definition ECS would refuse, before the release changes anything. */
export function checkTaskDefinitionSize(def: TaskDefinitionInput): void {
  const bytes = Buffer.byteLength(JSON.stringify(def), 'utf8');
  if (bytes > MAX_TASK_DEFINITION_BYTES) {
    throw new Error(
      `Task definition family "${def.family}" is ${bytes} bytes as JSON; ECS accepts at most 64 KiB (${MAX_TASK_DEFINITION_BYTES} bytes). Nothing was changed. Move large values out of it: environment values into Secrets Manager or SSM (\`secrets\`) or an S3 environment file (\`environmentFiles\`).`,
    );
  }
}

export async function registerTaskDefinition(
  clients: AwsClients,
  def: TaskDefinitionInput,
  options: {
    dryRun: boolean;
    live?: { arn: string; definition: TaskDefinitionInput };
    /** Environment values in the diff (names that look secret stay hidden). */
    showEnvironmentValues?: boolean;
  },
): Promise<RegisterResult> {
  const family = def.family!;
  checkTaskDefinitionSize(def);
  const latest = await latestRevision(clients, family);
  const baseline = options.live ?? latest;
  const baselineLabel = baseline ? familyRevision(baseline.arn) : '(no earlier revision)';
  const diff = diffDefinitions(baselineLabel, baseline?.definition, def, {
    showValues: options.showEnvironmentValues,
  });
  if (latest && canonicalJson(latest.definition) === canonicalJson(def)) {
    return {
      arn: latest.arn,
      family,
      revision: revisionOf(latest.arn),
      registered: false,
      diff,
      baselineLabel,
    };
  }
  if (options.dryRun) return { family, registered: true, diff, baselineLabel };
  const out = await clients.ecs.send(new RegisterTaskDefinitionCommand(def)).catch((err: Error) => {
    throw new Error(`Registering task definition family "${family}": ${err.name}: ${err.message}`);
  });
  const arn = out.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error(`Registering task definition family "${family}": no ARN in the response.`);
  return { arn, family, revision: revisionOf(arn), registered: true, diff, baselineLabel };
}
