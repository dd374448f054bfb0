/**
 * What DescribeTaskDefinition returns is not an echo of the registered input: ECS fills in
 * defaults. These are the ones a round trip through the real API shows on every revision
 * (sources in `../README.md`): a container's `cpu` 0 and `essential` true, the empty lists
 * (`environment`, `mountPoints`, `volumesFrom`, `systemControls`), port mappings' `protocol`
 * `tcp` and, in `awsvpc` and `host` mode, a `hostPort` equal to the `containerPort`; the task's
 * `networkMode` (`bridge` when none was given), `volumes` and `placementConstraints`.
 */

type Json = Record<string, unknown>;

function portMappingDefaults(pm: Json, networkMode: string): Json {
  const out: Json = { ...pm, protocol: pm.protocol ?? 'tcp' };
  if (out.hostPort === undefined && pm.containerPort !== undefined && networkMode !== 'bridge') {
    out.hostPort = pm.containerPort;
  }
  return out;
}

function containerDefaults(c: Json, networkMode: string): Json {
  return {
    ...c,
    cpu: c.cpu ?? 0,
    essential: c.essential ?? true,
    portMappings: ((c.portMappings as Json[] | undefined) ?? []).map((pm) =>
      portMappingDefaults(pm, networkMode),
    ),
    environment: c.environment ?? [],
    mountPoints: c.mountPoints ?? [],
    volumesFrom: c.volumesFrom ?? [],
    systemControls: c.systemControls ?? [],
  };
}

export function withEcsDefaults(input: Json): Json {
  const networkMode = (input.networkMode as string | undefined) ?? 'bridge';
  return {
    ...input,
    networkMode,
    containerDefinitions: ((input.containerDefinitions as Json[] | undefined) ?? []).map((c) =>
      containerDefaults(c, networkMode),
    ),
    volumes: input.volumes ?? [],
    placementConstraints: input.placementConstraints ?? [],
  };
}
