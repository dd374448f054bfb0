/**
 * Writes the job summaries of two real releases of the bundled action against the simulator's
 * sample environment: a healthy rolling release (`success.md`) and one of a crash-looping image
 * that ECS rolls back (`failure.md`). `npm run summary:png` renders them to the pictures the
 * README shows; CI runs both so neither can rot.
 *
 *   tsx scripts/summary-samples.ts <out dir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runAction } from '../test/harness/run-action.js';
import { Simulator } from '../test/sim/index.js';
import { buildSampleEnvironment } from '../test/sim/sample.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: tsx scripts/summary-samples.ts <out dir>');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const sim = await Simulator.start({ timeScale: 120 });
sim.cloudwatch.queryWindowClock = 'wall';
try {
  const env = await buildSampleEnvironment(sim);
  const base = { cluster: env.cluster, service: env.service, 'poll-interval': '250ms', timeout: '5m' };
  const releases = [
    {
      file: 'success.md',
      expectFailure: false,
      inputs: { ...base, images: `web=${env.images.v2}`, 'environment-variables': 'LOG_LEVEL=debug' },
    },
    { file: 'failure.md', expectFailure: true, inputs: { ...base, images: `web=${env.images.crash}` } },
  ];
  for (const r of releases) {
    const result = await runAction({ inputs: r.inputs, env: sim.env() });
    if ((result.exitCode !== 0) !== r.expectFailure || !result.summary.trim()) {
      throw new Error(
        `${r.file}: exit ${result.exitCode}, ${result.summary.length} characters of summary\n${result.stdout}`,
      );
    }
    writeFileSync(path.join(out, r.file), result.summary);
    process.stderr.write(`${path.join(out, r.file)}: exit ${result.exitCode}, ${result.durationMs} ms\n`);
  }
} finally {
  await sim.stop();
}
