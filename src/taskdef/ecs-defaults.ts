/**
 * The defaults ECS fills in when it registers a task definition, which DescribeTaskDefinition
 * then returns: a container's `cpu` 0 and `essential` true, a port mapping's `protocol` `tcp`
 * and, in `awsvpc` and `host` network mode, a `hostPort` equal to the `containerPort`; the
 * task's `networkMode` `bridge` when none is given. A definition compared with a registered
 * revision gets them too, so a file that leaves them out still matches the revision it made.
 */
import type { TaskDefinitionInput } from './normalize.js';

type Json = Record<string, unknown>;

function portMapping(pm: Json, networkMode: string): Json {
  const out: Json = { ...pm, protocol: pm.protocol ?? 'tcp' };
  if (out.hostPort === undefined && pm.containerPort !== undefined && networkMode !== 'bridge') {
    out.hostPort = pm.containerPort;
  }
  return out;
}

function container(c: Json, networkMode: string): Json {
  const mappings = c.portMappings as Json[] | undefined;
  return {
    ...c,
    cpu: c.cpu ?? 0,
    essential: c.essential ?? true,
    ...(mappings ? { portMappings: mappings.map((pm) => portMapping(pm, networkMode)) } : {}),
  };
}

export function withEcsDefaults(def: TaskDefinitionInput): TaskDefinitionInput {
  const networkMode = def.networkMode ?? 'bridge';
  return {
    ...def,
    networkMode,
    containerDefinitions: ((def.containerDefinitions ?? []) as Json[]).map((c) => container(c, networkMode)),
  } as TaskDefinitionInput;
}
