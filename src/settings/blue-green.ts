/**
 * Resolves the blue-green keys of the merged settings into `BlueGreenSettings`, applying the
 * defaults and the rules that need several keys at once (a listener is required, one service
 * only, smoke tests need a URL to call).
 */
import type { SmokeTest } from './blue-green-fields.js';
import { SettingsError } from './errors.js';
import type { Layer } from './schema.js';

export type { SmokeTest };

export interface BlueGreenSettings {
  /** Production listener or listener-rule ARN. */
  listener: string;
  testListener?: string;
  testUrl?: string;
  services: { blue: string; green: string };
  targetGroups: { blue?: string; green?: string };
  /** Share of production traffic on the new side at each step; the last is 100. */
  steps: number[];
  stepPauseMs: number;
  bakeTimeMs: number;
  scaleDownDelayMs: number;
  /** Alarm names to watch; names ending in `*` are prefixes. */
  alarms: string[];
  proceedOnAlarm: boolean;
  smokeTests: SmokeTest[];
  /** A shell command run after the HTTP checks, with `TEST_URL` set. */
  smokeCommand?: string;
  /** Variables the smoke command sees besides PATH, HOME and TEST_URL. */
  smokeCommandEnv: string[];
  smokeTimeoutMs: number;
  /** Wait after moving the test route: an ALB routes by the old rule for a few seconds. */
  routeSettleMs: number;
  max5xxRatePercent?: number;
  /** 0 turns the latency gate off. */
  maxP95LatencyMs: number;
  /** How long a gated step may wait, after its pause, for one complete published minute. */
  metricWaitMs: number;
  /** What a gated step does when that minute never came. */
  metricNoData: 'fail' | 'pass' | 'fail-if-traffic';
}

export const BLUE_GREEN_DEFAULTS = {
  steps: [100],
  stepPauseMs: 60_000,
  bakeTimeMs: 10 * 60_000,
  scaleDownDelayMs: 0,
  smokeTimeoutMs: 5 * 60_000,
  // "Rule updates do not take effect immediately" (ALB user guide): a few seconds, with margin.
  routeSettleMs: 10_000,
  // The playbook's latency threshold.
  maxP95LatencyMs: 500,
  // A minute closes within 60 s, ALB sends it at its end and CloudWatch shows it one to a few
  // minutes later: five minutes covers one complete, published minute on AWS.
  metricWaitMs: 5 * 60_000,
  metricNoData: 'fail-if-traffic' as const,
};

/** For a blue-green `deploy` or `rollback`: nothing else reads these keys. */
export function resolveBlueGreen(s: Layer, serviceNames: string[]): BlueGreenSettings {
  if (!s.listener) {
    throw new SettingsError(
      'Input "listener" is required for strategy "blue-green". Expected: the production listener ARN or listener rule ARN whose forward action weights the two target groups.',
    );
  }
  if (serviceNames.length !== 1) {
    throw new SettingsError(
      `Strategy "blue-green" deploys one service at a time; ${serviceNames.length} are given. Expected: one name in input "service" (the blue and green services are \`<service>-blue\` and \`<service>-green\` unless "blue-service"/"green-service" say otherwise).`,
    );
  }
  const base = serviceNames[0]!;
  const smokeTests = s['smoke-tests'] ?? [];
  if ((smokeTests.length > 0 || s['smoke-command']) && !s['test-url']) {
    throw new SettingsError(
      'Input "test-url" is required when "smoke-tests" or "smoke-command" are given. Expected: the base URL that reaches the test listener, e.g. `https://test.example.com:8443`.',
    );
  }
  const blue = s['blue-service'] ?? `${base}-blue`;
  const green = s['green-service'] ?? `${base}-green`;
  if (blue === green) {
    throw new SettingsError(
      `Inputs "blue-service" and "green-service" are both "${blue}". Expected: two different services.`,
    );
  }
  return {
    listener: s.listener,
    testListener: s['test-listener'],
    testUrl: s['test-url']?.replace(/\/+$/, ''),
    services: { blue, green },
    targetGroups: { blue: s['blue-target-group'], green: s['green-target-group'] },
    steps: s['traffic-steps'] ?? BLUE_GREEN_DEFAULTS.steps,
    stepPauseMs: s['step-pause'] ?? BLUE_GREEN_DEFAULTS.stepPauseMs,
    bakeTimeMs: s['bake-time'] ?? BLUE_GREEN_DEFAULTS.bakeTimeMs,
    scaleDownDelayMs: s['scale-down-delay'] ?? BLUE_GREEN_DEFAULTS.scaleDownDelayMs,
    alarms: s.alarms ?? [],
    proceedOnAlarm: s['proceed-on-alarm'] ?? false,
    smokeTests,
    smokeCommand: s['smoke-command'],
    smokeCommandEnv: s['smoke-command-env'] ?? [],
    smokeTimeoutMs: s['smoke-timeout'] ?? BLUE_GREEN_DEFAULTS.smokeTimeoutMs,
    routeSettleMs: s['route-settle'] ?? BLUE_GREEN_DEFAULTS.routeSettleMs,
    max5xxRatePercent: s['max-5xx-rate'],
    maxP95LatencyMs: s['max-p95-latency'] ?? BLUE_GREEN_DEFAULTS.maxP95LatencyMs,
    metricWaitMs: s['metric-wait'] ?? BLUE_GREEN_DEFAULTS.metricWaitMs,
    metricNoData: s['metric-no-data'] ?? BLUE_GREEN_DEFAULTS.metricNoData,
  };
}
