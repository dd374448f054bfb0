/**
 * Peak memory (RSS) of the bundled action during a rolling deploy of 50 services in one run,
 * one of them crash-looping and rolled back, as a large monorepo release would be. The peak is
 * read by the process itself at exit (getrusage), through a module loaded with `--import`, so
 * nothing in `src/` knows it is measured.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runAction } from '../test/harness/run-action.js';
import { liveService } from '../test/scenarios/rolling-support.js';
import { ecsClient } from '../test/sim/ecs/testing.js';
import { Simulator } from '../test/sim/index.js';
import type { BenchRow } from './types.js';

const SERVICES = 50;
const hook = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'peak-rss.mjs')).href;

export async function bench(): Promise<BenchRow[]> {
  const sim = await Simulator.start({ timeScale: 300 });
  try {
    const ecs = ecsClient(sim);
    const fleet = [];
    // Ten at a time: the simulator's API rate limits are AWS's, and set-up is not measured.
    for (let i = 0; i < SERVICES; i += 10) {
      fleet.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, SERVICES - i) }, (_, j) =>
            liveService(sim, ecs, { cluster: 'fleet', service: `svc${i + j + 1}`, desiredCount: 1 }),
          ),
        )),
      );
    }
    ecs.destroy();
    const config = [
      'cluster: fleet',
      'services:',
      ...fleet.flatMap((s, i) => [
        `  - name: ${s.service}`,
        `    images: ${s.repo}:${i === SERVICES - 1 ? 'crash' : 'v2'}`,
      ]),
    ].join('\n');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-rss-'));
    const rssFile = path.join(dir, 'rss');
    writeFileSync(path.join(dir, 'deploy.yml'), config);
    const result = await runAction({
      inputs: { config: 'deploy.yml', 'poll-interval': '100ms', timeout: '120s' },
      workspace: dir,
      env: { ...sim.env(), NODE_OPTIONS: `--import=${hook}`, BENCH_RSS_FILE: rssFile },
      killAfterMs: 240_000,
    });
    const results = JSON.parse(result.outputs.results ?? '[]') as { status: string }[];
    const succeeded = results.filter((r) => r.status === 'succeeded').length;
    return [
      {
        group: 'memory',
        name: `peak RSS, rolling deploy of ${SERVICES} services`,
        value: Number(readFileSync(rssFile, 'utf8')) / 1024,
        unit: 'MiB',
        note: `${succeeded} succeeded, ${results.length - succeeded} rolled back; ${(result.durationMs / 1000).toFixed(1)} s wall; exit ${result.exitCode}`,
      },
    ];
  } finally {
    await sim.stop();
  }
}
