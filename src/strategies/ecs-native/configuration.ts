/**
 * The deployment configuration an ECS-native release runs with: the strategy and its shift
 * settings from "traffic-steps", "bake-time" as `bakeTimeInMinutes`, the watched alarms as ECS
 * deployment alarms (with rollback), and the user's own lifecycle hooks plus one PAUSE hook of
 * this action at POST_TEST_TRAFFIC_SHIFT (smoke tests) and PRE_PRODUCTION_TRAFFIC_SHIFT (gates
 * before each production step). The step pause is held in that hook, so ECS's own canary and
 * linear bakes are 0: the pause can be shorter than a minute and is judged by the gates.
 */
import type { DeploymentConfiguration, DeploymentLifecycleHook } from '@aws-sdk/client-ecs';
import type { NativeSettings } from '../../settings/native.js';

export const OUR_STAGES = ['POST_TEST_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT'] as const;

/** This action's hook: PAUSE at exactly our two stages (left over only if a run died mid-way). */
export function isOurHook(h: DeploymentLifecycleHook): boolean {
  const stages = [...(h.lifecycleStages ?? [])].sort();
  return (
    h.targetType === 'PAUSE' && stages.length === 2 && stages.every((s, i) => s === [...OUR_STAGES].sort()[i])
  );
}

/** The user's hooks: everything on the service but ours. */
export function theirHooks(config: DeploymentConfiguration): DeploymentLifecycleHook[] {
  return (config.lifecycleHooks ?? []).filter((h) => !isOurHook(h));
}

const minutes = (ms: number) => Math.min(1440, Math.ceil(ms / 60_000));

export function releaseConfiguration(
  current: DeploymentConfiguration,
  native: NativeSettings,
  alarmNames: string[],
  timeoutMs: number,
): DeploymentConfiguration {
  const { canaryConfiguration: _c, linearConfiguration: _l, ...rest } = current;
  const shift = native.shift;
  return {
    ...rest,
    strategy: shift.strategy,
    bakeTimeInMinutes: minutes(native.bakeTimeMs),
    ...(shift.strategy === 'CANARY'
      ? { canaryConfiguration: { canaryPercent: shift.canaryPercent, canaryBakeTimeInMinutes: 0 } }
      : {}),
    ...(shift.strategy === 'LINEAR'
      ? { linearConfiguration: { stepPercent: shift.stepPercent, stepBakeTimeInMinutes: 0 } }
      : {}),
    alarms: { alarmNames, enable: alarmNames.length > 0, rollback: true },
    lifecycleHooks: [
      ...theirHooks(current),
      {
        targetType: 'PAUSE',
        lifecycleStages: [...OUR_STAGES],
        // If this run dies while ECS waits for it, ECS rolls back once the job could no longer be
        // running (at least an hour: a job's post step may still be finishing the undo).
        timeoutConfiguration: { timeoutInMinutes: Math.max(60, minutes(timeoutMs)), action: 'ROLLBACK' },
      },
    ],
  };
}

/** After the release: the same configuration without this action's hook, so other deployments do not pause. */
export function withoutOurHook(config: DeploymentConfiguration): DeploymentConfiguration {
  return { ...config, lifecycleHooks: theirHooks(config) };
}
