/**
 * `npm run demo`: start the simulator with the sample environment and run the bundled action
 * against it the way the Actions runner would — a healthy release, then a broken one that is
 * rolled back — then blue-green and ECS-native releases, printing each step's log and job
 * summary in the terminal.
 */
import { type RunResult, runAction } from '../test/harness/run-action.js';
import { startTraffic, tally } from '../test/sim/elb/testing.js';
import { Simulator } from '../test/sim/index.js';
import { buildSampleEnvironment } from '../test/sim/sample.js';
import { demoBlueGreen } from './demo-blue-green.js';
import { demoNative } from './demo-native.js';
import type { Expected } from './demo-show.js';

const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;
const dim = (s: string) => `\x1b[2m${s}\x1b[0m`;

/** Markdown as a terminal shows it well enough: no HTML, no fences. */
function terminalMarkdown(md: string): string {
  return md
    .replace(/<\/?details>/g, '')
    .replace(/<summary>(.*?)<\/summary>/g, (_m, s: string) => bold(s))
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/^```\w*$/gm, '')
    .replace(/\*\*(.+?)\*\*/g, (_m, s: string) => bold(s))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * A workflow command as the run's page shows it: `::error file=…::text` becomes `ERROR text`,
 * with the runner's escapes (%0A, %0D, %25) decoded and continuation lines indented.
 */
function annotation(line: string): string {
  const m = /^::(error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line);
  if (!m) return line;
  const text = m[2]!.replace(/%0D/g, '').replace(/%0A/g, '\n').replace(/%25/g, '%');
  return `${m[1]!.toUpperCase()} ${text.replace(/\n/g, '\n      ')}`;
}

/** Releases that did not end as their title says: the demo exits non-zero so it cannot rot unseen. */
const mismatches: string[] = [];

function show(title: string, result: RunResult, expected: Expected): void {
  const status = result.outputs.status ?? '(none)';
  const exitOk = expected === 'succeeded' ? result.exitCode === 0 : result.exitCode !== 0;
  if (status !== expected || !exitOk) {
    mismatches.push(`${title}: expected ${expected}, got ${status} (exit ${result.exitCode})`);
  }
  console.log(
    `\n${bold(`━━━ ${title} ━━━`)}  exit ${result.exitCode}, ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  const log = result.stdout
    .split('\n')
    .filter(
      (l) =>
        l && !l.startsWith('::group::') && !l.startsWith('::endgroup::') && !l.startsWith('::set-output'),
    )
    .map(annotation);
  console.log(dim(log.join('\n')));
  console.log(`\n${bold('Job summary')}\n${terminalMarkdown(result.summary)}`);
  console.log(`\n${bold('Outputs')} ${JSON.stringify(result.outputs)}`);
}

const sim = await Simulator.start({ timeScale: 120 });
// The action reads metric windows in wall-clock time, as on AWS.
sim.cloudwatch.queryWindowClock = 'wall';
try {
  console.log(bold('Building the sample environment in the simulator (cluster demo, service web on v1)…'));
  const env = await buildSampleEnvironment(sim);
  const traffic = startTraffic(env.listenerUrl, 20);
  const base = { cluster: env.cluster, service: env.service, 'poll-interval': '250ms', timeout: '5m' };

  const good = await runAction({
    inputs: { ...base, images: `web=${env.images.v2}` },
    env: sim.env(),
    post: true,
  });
  show('Release v2 (rolling)', good, 'succeeded');

  traffic.phase = 'broken';
  const bad = await runAction({
    inputs: { ...base, images: `web=${env.images.crash}` },
    env: sim.env(),
    post: true,
  });
  show('Release of a crashing image (rolling)', bad, 'rolled-back');

  await demoBlueGreen(sim, env, show);
  await demoNative(sim, show);

  const records = await traffic.stop();
  console.log(`\n${bold('Client traffic through the production listener during both releases')}`);
  console.log(tally(records));
} finally {
  await sim.stop();
}
if (mismatches.length > 0) {
  console.error(`\n${bold('Releases that did not end as their titles say:')}\n${mismatches.join('\n')}`);
  process.exitCode = 1;
}
