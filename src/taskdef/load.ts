/**
 * Where a deploy's task definition starts from: a JSON file in the repository, or the
 * definition the live service runs now.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { LineCounter, parseDocument } from 'yaml';
import type { AwsClients } from '../aws/clients.js';
import { SettingsError } from '../settings/errors.js';
import { readInputFile } from '../settings/input-file.js';
import { type TaskDefinitionInput, toRegisterInput } from './normalize.js';

/** Read and parse a task-definition file; errors name the input and the JSON position. */
export function loadTaskDefinitionFile(path: string, display = path): TaskDefinitionInput {
  const text = readInputFile(
    path,
    (reason) =>
      `Input "task-definition": cannot read ${display} (${reason}). Expected: a readable task-definition JSON file.`,
  );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const line = jsonErrorLine(text, (err as Error).message);
    throw new SettingsError(
      `Input "task-definition": ${display}${line ? ` line ${line}` : ''} is not valid JSON (${(err as Error).message.split('\n')[0]}). Expected: a task definition as JSON, e.g. the output of \`aws ecs describe-task-definition\`.`,
    );
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SettingsError(
      `Input "task-definition": ${display} must hold a JSON object with "family" and "containerDefinitions".`,
    );
  }
  const def = toRegisterInput(raw);
  if (!def.family || !Array.isArray(def.containerDefinitions) || def.containerDefinitions.length === 0) {
    throw new SettingsError(
      `Input "task-definition": ${display} must have a "family" and at least one entry in "containerDefinitions".`,
    );
  }
  return def;
}

/**
 * The line of a JSON syntax error. V8 reports a position only for some errors, so fall back to
 * the YAML parser (JSON is YAML), which locates the first problem in flow collections.
 */
function jsonErrorLine(text: string, message: string): number | undefined {
  const pos = /position (\d+)/.exec(message);
  if (pos) return text.slice(0, Number(pos[1])).split('\n').length;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const first = doc.errors[0];
  return first ? lineCounter.linePos(first.pos[0]).line : undefined;
}

export interface LiveTaskDefinition {
  arn: string;
  definition: TaskDefinitionInput;
}

/** The ARN of the task definition a service runs now (its PRIMARY deployment's). */
export async function liveTaskDefinitionArn(
  clients: AwsClients,
  cluster: string,
  service: string,
): Promise<string> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const svc = out.services?.[0];
  if (!svc || svc.status === 'INACTIVE') {
    throw new Error(
      `Service "${service}" was not found in cluster "${cluster}"${out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ''}. Check inputs "cluster" and "service".`,
    );
  }
  if (!svc.taskDefinition) throw new Error(`Service "${service}" has no task definition.`);
  return svc.taskDefinition;
}

export async function describeTaskDefinition(clients: AwsClients, ref: string): Promise<LiveTaskDefinition> {
  const out = await clients.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }),
  );
  if (!out.taskDefinition?.taskDefinitionArn) throw new Error(`Task definition ${ref} was not found.`);
  return {
    arn: out.taskDefinition.taskDefinitionArn,
    definition: toRegisterInput(out.taskDefinition, out.tags),
  };
}

export async function loadFromService(
  clients: AwsClients,
  cluster: string,
  service: string,
): Promise<LiveTaskDefinition> {
  return describeTaskDefinition(clients, await liveTaskDefinitionArn(clients, cluster, service));
}
