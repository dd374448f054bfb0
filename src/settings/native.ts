/**
 * Resolves `strategy: ecs-blue-green` into `NativeSettings`: the blue-green release keys
 * (traffic steps, pauses, bake, alarms, smoke tests, gates) plus the resources of ECS's
 * advanced load-balancer configuration. ECS can only shift traffic all at once, as a canary
 * (one step, then the rest) or linearly in equal steps of at least 3 %: other plans are refused
 * here, before any AWS call.
 */
import { type BlueGreenSettings, resolveBlueGreen } from './blue-green.js';
import { SettingsError } from './errors.js';
import type { Layer } from './schema.js';

/** How ECS shifts production traffic (`deploymentConfiguration.strategy` and its settings). */
export type NativeShift =
  | { strategy: 'BLUE_GREEN' }
  | { strategy: 'CANARY'; canaryPercent: number }
  | { strategy: 'LINEAR'; stepPercent: number };

export interface NativeSettings
  extends Omit<BlueGreenSettings, 'listener' | 'services' | 'targetGroups' | 'scaleDownDelayMs'> {
  service: string;
  shift: NativeShift;
  /** Production / test listener rule ARNs, when the service does not have them yet or they change. */
  productionListenerRule?: string;
  testListenerRule?: string;
  alternateTargetGroup?: string;
  infrastructureRole?: string;
}

export function shiftOf(steps: number[]): NativeShift | undefined {
  if (steps.length === 1) return { strategy: 'BLUE_GREEN' };
  if (steps.length === 2) return { strategy: 'CANARY', canaryPercent: steps[0]! };
  const step = steps[0]!;
  const equal = steps.every((s, i) => s === Math.min(100, step * (i + 1)));
  return equal && step >= 3 ? { strategy: 'LINEAR', stepPercent: step } : undefined;
}

export function resolveNative(s: Layer, serviceNames: string[]): NativeSettings {
  if (serviceNames.length !== 1) {
    throw new SettingsError(
      `Strategy "ecs-blue-green" deploys one service at a time; ${serviceNames.length} are given. Expected: one name in input "service".`,
    );
  }
  const steps = s['traffic-steps'] ?? [100];
  const shift = shiftOf(steps);
  if (!shift) {
    throw new SettingsError(
      `Input "traffic-steps" (${steps.map((p) => `${p}%`).join(', ')}) cannot be run by ECS-native deployments. Expected: \`all-at-once\`, \`canary N%\`, or \`linear N%\` with N of at least 3 (ECS shifts in equal linear steps only).`,
    );
  }
  // The blue-green resolver checks the shared keys (smoke tests need a test URL, …); the
  // listener is optional here: ECS reads it from the service's advanced configuration.
  const {
    listener: _l,
    services: _s,
    targetGroups: _t,
    scaleDownDelayMs: _d,
    ...shared
  } = resolveBlueGreen({ ...s, listener: s.listener ?? 'native' }, serviceNames);
  return {
    ...shared,
    service: serviceNames[0]!,
    shift,
    productionListenerRule: s.listener,
    testListenerRule: s['test-listener'],
    alternateTargetGroup: s['alternate-target-group'],
    infrastructureRole: s['infrastructure-role'],
  };
}
