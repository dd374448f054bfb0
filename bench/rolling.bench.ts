/**
 * The rolling watcher against the SDK's `waitUntilServicesStable` used the way the official ECS
 * deploy action uses it (`minDelay: 15`, the ECS default `maxDelay: 600`, `maxWaitTime` 30 min),
 * side by side on the same deployments in the simulator.
 *
 * All durations are in **simulated seconds**. The simulator runs AWS's side `SCALE` times faster
 * than wall time, so both pollers get their delays divided by `SCALE` too (the watcher's 5 s
 * default interval, the waiter's 15 s minimum delay), and every moment is read on the
 * simulator's clock. "Settled" is the simulated moment ECS wrote the deployment's final event
 * (`deployment completed` / `deployment failed`); "known" is when the poller returned.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  type ECSClient,
  UpdateServiceCommand,
  waitUntilServicesStable,
} from '@aws-sdk/client-ecs';
import { watchDeployments } from '../src/aws/watch.js';
import { runAction } from '../test/harness/run-action.js';
import { ecsClient, registerWeb } from '../test/sim/ecs/testing.js';
import { Simulator } from '../test/sim/index.js';
import type { BenchRow } from './types.js';

/** Simulated ms per wall ms: small enough that a scheduler tick (15 wall ms) is 0.6 simulated s. */
const SCALE = 40;
const RUNS = 5;
/** The watcher's default poll interval and the official action's waiter settings, in simulated seconds. */
const POLL_S = 5;
const WAITER = { minDelay: 15, maxDelay: 600, maxWaitTime: 30 * 60 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Count the commands a client sends (retries are not new commands). */
function countCalls(client: ECSClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? '?');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return counts;
}

async function steadyService(sim: Simulator, ecs: ECSClient, cluster: string, name: string, desired = 2) {
  const v1 = await registerWeb(ecs, name, `${name}:v1`);
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: name,
      taskDefinition: v1,
      desiredCount: desired,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } },
    }),
  );
  await sim.ecs.waitForSteady(cluster, name, { timeoutMs: 60_000 });
}

/** Simulated ms of the newest event of the service matching `re`. */
function eventAt(sim: Simulator, cluster: string, service: string, re: RegExp): number | undefined {
  return sim.ecs
    .getService(cluster, service)
    ?.events.find((e) => re.test(e.message))
    ?.createdAt.getTime();
}

interface SideBySide {
  watcherS: number;
  waiterS: number;
  watcherVerdict: string;
  waiterVerdict: string;
  watcherReads: number;
  waiterReads: number;
}

/** Deploy `image` onto a fresh service and let both pollers judge the same deployment. */
/**
 * Our watcher and the SDK waiter (as the official action uses it) on the same deployment at
 * once; each answer is stamped with the simulated time it arrived.
 */
async function race(
  sim: Simulator,
  o: {
    watcherClient: ECSClient;
    waiterClient: ECSClient;
    cluster: string;
    name: string;
    deploymentId: string;
    scale: number;
    circuitBreaker: boolean;
  },
): Promise<[{ at: number; verdict: string }, { at: number; verdict: string }]> {
  const watcher = watchDeployments(
    o.watcherClient,
    [{ cluster: o.cluster, service: o.name, deploymentId: o.deploymentId }],
    {
      pollIntervalMs: (POLL_S * 1000) / o.scale,
      timeoutMs: (WAITER.maxWaitTime * 1000) / o.scale,
      circuitBreaker: o.circuitBreaker,
      log: () => {},
    },
  ).then(([r]) => ({ at: sim.clock.now(), verdict: r!.verdict.state as string }));
  const waiter = waitUntilServicesStable(
    {
      client: o.waiterClient,
      minDelay: WAITER.minDelay / o.scale,
      maxDelay: WAITER.maxDelay / o.scale,
      maxWaitTime: WAITER.maxWaitTime / o.scale,
    },
    { cluster: o.cluster, services: [o.name] },
  ).then(
    (r) => ({ at: sim.clock.now(), verdict: String(r.state) }),
    (err: Error) => ({
      at: sim.clock.now(),
      verdict: /TIMEOUT|max wait/i.test(err.message) ? 'TIMEOUT' : err.name,
    }),
  );
  return Promise.all([watcher, waiter]);
}

async function sideBySide(
  sim: Simulator,
  name: string,
  image: string,
  circuitBreaker: boolean,
): Promise<SideBySide> {
  const setup = ecsClient(sim, 3);
  const cluster = 'bench';
  await steadyService(sim, setup, cluster, name);
  const td = await registerWeb(setup, name, image);
  const out = await setup.send(
    new UpdateServiceCommand({
      cluster,
      service: name,
      taskDefinition: td,
      deploymentConfiguration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        deploymentCircuitBreaker: { enable: circuitBreaker, rollback: circuitBreaker },
      },
    }),
  );
  const deploymentId = out.service!.deployments!.find((d) => d.status === 'PRIMARY')!.id!;

  const watcherClient = ecsClient(sim, 3);
  const waiterClient = ecsClient(sim, 3);
  const watcherCalls = countCalls(watcherClient);
  const waiterCalls = countCalls(waiterClient);
  const [w, s] = await race(sim, {
    watcherClient,
    waiterClient,
    cluster,
    name,
    deploymentId,
    scale: SCALE,
    circuitBreaker,
  });
  const settledRe = new RegExp(`\\(deployment ${deploymentId}\\) deployment (completed|failed)`);
  const settled =
    eventAt(sim, cluster, name, settledRe) ?? eventAt(sim, cluster, name, /unable to consistently/);
  if (settled === undefined) throw new Error(`${name}: the deployment never settled`);
  for (const c of [setup, watcherClient, waiterClient]) c.destroy();
  return {
    watcherS: (w.at - settled) / 1000,
    waiterS: (s.at - settled) / 1000,
    watcherVerdict: w.verdict,
    waiterVerdict: s.verdict,
    watcherReads: watcherCalls.get('DescribeServicesCommand') ?? 0,
    waiterReads: waiterCalls.get('DescribeServicesCommand') ?? 0,
  };
}

async function repeated(sim: Simulator, label: string, image: string, circuitBreaker: boolean, runs: number) {
  const results: SideBySide[] = [];
  for (let i = 0; i < runs; i++) {
    results.push(await sideBySide(sim, `${label}${i}`, `${label}${i}:${image}`, circuitBreaker));
  }
  return results;
}

/** All AWS calls of one deploy through the bundled action (register, update, watch, diagnose, rollback, history). */
async function actionCalls(
  sim: Simulator,
  name: string,
  tag: string,
): Promise<{ total: number; detail: string }> {
  const setup = ecsClient(sim, 3);
  await steadyService(sim, setup, 'bench', name);
  setup.destroy();
  sim.log.clear();
  await runAction({
    env: sim.env(),
    inputs: {
      cluster: 'bench',
      service: name,
      images: `${name}:${tag}`,
      'poll-interval': `${(POLL_S * 1000) / SCALE}ms`,
    },
  });
  const byOp = new Map<string, number>();
  for (const c of sim.log.calls) byOp.set(c.operation, (byOp.get(c.operation) ?? 0) + 1);
  return {
    total: sim.log.calls.length,
    detail: [...byOp].map(([op, n]) => `${op} ${n}`).join(', '),
  };
}

/** DescribeServices calls per poll while `n` services deploy together. */
async function callsPerPoll(sim: Simulator, n: number): Promise<{ perPoll: number; polls: number }> {
  const ecs = ecsClient(sim, 3);
  const cluster = `fleet${n}`;
  const names = Array.from({ length: n }, (_, i) => `f${n}x${i}`);
  await Promise.all(names.map((s) => steadyService(sim, ecs, cluster, s, 1)));
  const targets = await Promise.all(
    names.map(async (s) => {
      const td = await registerWeb(ecs, s, `${s}:v2`);
      const out = await ecs.send(new UpdateServiceCommand({ cluster, service: s, taskDefinition: td }));
      return { cluster, service: s, deploymentId: out.service!.deployments![0]!.id! };
    }),
  );
  const perPoll: number[] = [];
  await watchDeployments(ecs, targets, {
    pollIntervalMs: (POLL_S * 1000) / SCALE,
    timeoutMs: 60_000,
    circuitBreaker: true,
    log: () => {},
    onPoll: (calls) => perPoll.push(calls),
  });
  ecs.destroy();
  return { perPoll: perPoll[0] ?? 0, polls: perPoll.length };
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const sim = await Simulator.start({ timeScale: SCALE });
  try {
    const healthy = await repeated(sim, 'ok', 'v2', true, RUNS);
    const crash = await repeated(sim, 'cl', 'crash', true, RUNS);
    const note = (r: SideBySide[], who: 'watcher' | 'waiter') => {
      const values = r.map((x) => (who === 'watcher' ? x.watcherS : x.waiterS));
      const verdicts = new Set(r.map((x) => (who === 'watcher' ? x.watcherVerdict : x.waiterVerdict)));
      return `median of ${RUNS} (max ${Math.max(...values).toFixed(1)}); verdict ${[...verdicts].join('/')}`;
    };
    rows.push(
      {
        group: 'rolling',
        name: 'healthy: settled → known, this watcher (poll 5s)',
        value: median(healthy.map((r) => r.watcherS)),
        unit: 's (sim)',
        note: note(healthy, 'watcher'),
      },
      {
        group: 'rolling',
        name: 'healthy: settled → known, SDK waiter (minDelay 15s)',
        value: median(healthy.map((r) => r.waiterS)),
        unit: 's (sim)',
        note: note(healthy, 'waiter'),
      },
      {
        group: 'rolling',
        name: 'crash loop: FAILED → known, this watcher',
        value: median(crash.map((r) => r.watcherS)),
        unit: 's (sim)',
        note: note(crash, 'watcher'),
      },
      {
        group: 'rolling',
        name: 'crash loop: FAILED → waiter returns',
        value: median(crash.map((r) => r.waiterS)),
        unit: 's (sim)',
        note: `${note(crash, 'waiter')} (ECS rolled back; the waiter calls that stable)`,
      },
      {
        group: 'rolling',
        name: 'crash loop: waiter / watcher',
        value: median(crash.map((r) => r.waiterS)) / Math.max(0.001, median(crash.map((r) => r.watcherS))),
        unit: '×',
        note: 'target ≥ 10; the waiter answers SUCCESS, never the failure',
      },
      {
        group: 'rolling',
        name: 'DescribeServices while watching, healthy: watcher / waiter',
        value: median(healthy.map((r) => r.watcherReads)),
        unit: 'calls',
        note: `waiter: ${median(healthy.map((r) => r.waiterReads))} calls (median)`,
      },
    );

    // A deploy of realistic length: old tasks take 5 minutes to stop, as behind an ALB with the
    // default deregistration delay, so the deployment completes about 6 minutes after it starts.
    sim.ecs.timings.stoppingMs = 300_000;
    const slow = await repeated(sim, 'slow', 'v2', true, 3);
    sim.ecs.timings.stoppingMs = 3_000;
    rows.push(
      {
        group: 'rolling',
        name: 'healthy, 6-minute deploy: settled → known, this watcher',
        value: median(slow.map((r) => r.watcherS)),
        unit: 's (sim)',
        note: note(slow, 'watcher').replace(`of ${RUNS}`, 'of 3'),
      },
      {
        group: 'rolling',
        name: 'healthy, 6-minute deploy: settled → known, SDK waiter',
        value: median(slow.map((r) => r.waiterS)),
        unit: 's (sim)',
        note: `${note(slow, 'waiter').replace(`of ${RUNS}`, 'of 3')}; reads: watcher ${median(slow.map((r) => r.watcherReads))}, waiter ${median(slow.map((r) => r.waiterReads))}`,
      },
    );

    // A crash loop of realistic pace: a 60-second image pull before each crash, so ECS's circuit
    // breaker trips about 3 minutes in, when the waiter's delays have grown.
    sim.ecs.timings.pendingMs = 60_000;
    const slowCrash = await repeated(sim, 'slowcl', 'crash', true, 3);
    sim.ecs.timings.pendingMs = 10_000;
    rows.push(
      {
        group: 'rolling',
        name: 'crash loop, 60s pulls: FAILED → known, this watcher',
        value: median(slowCrash.map((r) => r.watcherS)),
        unit: 's (sim)',
        note: note(slowCrash, 'watcher').replace(`of ${RUNS}`, 'of 3'),
      },
      {
        group: 'rolling',
        name: 'crash loop, 60s pulls: FAILED → waiter returns',
        value: median(slowCrash.map((r) => r.waiterS)),
        unit: 's (sim)',
        note: `${note(slowCrash, 'waiter').replace(`of ${RUNS}`, 'of 3')}; ratio ${(median(slowCrash.map((r) => r.waiterS)) / Math.max(0.001, median(slowCrash.map((r) => r.watcherS)))).toFixed(1)}×`,
      },
    );

    const ok = await actionCalls(sim, 'acth', 'v2');
    const bad = await actionCalls(sim, 'actc', 'crash');
    rows.push(
      {
        group: 'rolling',
        name: 'AWS calls per deploy (action, healthy)',
        value: ok.total,
        unit: 'calls',
        note: ok.detail,
      },
      {
        group: 'rolling',
        name: 'AWS calls per deploy (action, crash loop + rollback)',
        value: bad.total,
        unit: 'calls',
        note: bad.detail,
      },
    );

    for (const n of [1, 10, 50]) {
      const { perPoll, polls } = await callsPerPoll(sim, n);
      rows.push({
        group: 'rolling',
        name: `DescribeServices calls per poll, ${n} service${n > 1 ? 's' : ''}`,
        value: perPoll,
        unit: 'calls',
        note: `ceil(${n}/10) = ${Math.ceil(n / 10)}; ${polls} polls`,
      });
    }
  } finally {
    await sim.stop();
  }

  // Without the circuit breaker the waiter cannot end a crash loop before its maxWaitTime; a
  // faster simulator keeps the 30 simulated minutes short.
  const fast = await Simulator.start({ timeScale: 600 });
  try {
    const [r] = await repeatedAt(fast, 600);
    rows.push(
      {
        group: 'rolling',
        name: 'crash loop, no circuit breaker: 3rd failure → known, watcher',
        value: r!.watcherS,
        unit: 's (sim)',
        note: `verdict ${r!.watcherVerdict}; ECS's threshold formula applied by the watcher`,
      },
      {
        group: 'rolling',
        name: 'crash loop, no circuit breaker: 3rd failure → waiter returns',
        value: r!.waiterS,
        unit: 's (sim)',
        note: `verdict ${r!.waiterVerdict} (maxWaitTime 30 min)`,
      },
    );
  } finally {
    await fast.stop();
  }
  return rows;
}

/** One crash loop without circuit breaker on a simulator of another time scale. */
async function repeatedAt(sim: Simulator, scale: number): Promise<SideBySide[]> {
  const ecs = ecsClient(sim, 3);
  const name = 'nocb';
  const cluster = 'bench';
  await steadyService(sim, ecs, cluster, name);
  const td = await registerWeb(ecs, name, `${name}:crash`);
  const out = await ecs.send(
    new UpdateServiceCommand({
      cluster,
      service: name,
      taskDefinition: td,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } },
    }),
  );
  const deploymentId = out.service!.deployments![0]!.id!;
  const started = sim.clock.now();
  const [w, s] = await race(sim, {
    watcherClient: ecs,
    waiterClient: ecs,
    cluster,
    name,
    deploymentId,
    scale,
    circuitBreaker: false,
  });
  // No FAILED state without the breaker: count from the moment ECS's own threshold was reached,
  // which is when the watcher's formula trips too (the third consecutive failure).
  const failures = sim.ecs
    .tasks(cluster, name)
    .filter((t) => t.startedBy === deploymentId && t.stoppingAt)
    .map((t) => t.stoppingAt!.getTime())
    .sort((a, b) => a - b);
  const settled = failures[2] ?? started;
  ecs.destroy();
  return [
    {
      watcherS: (w.at - settled) / 1000,
      waiterS: (s.at - settled) / 1000,
      watcherVerdict: w.verdict,
      waiterVerdict: s.verdict,
      watcherReads: 0,
      waiterReads: 0,
    },
  ];
}
