/**
 * `npm run sim`: the simulator as a standalone process with the sample environment, printing
 * the variables that point the action (or the AWS CLI) at it. Stops on Ctrl-C.
 *   npm run sim -- --port 4566 --time-scale 60
 */
import { parseArgs } from 'node:util';
import { Simulator } from './index.js';
import { buildSampleEnvironment } from './sample.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '4566' }, 'time-scale': { type: 'string', default: '60' } },
});
const sim = await Simulator.start({ port: Number(values.port), timeScale: Number(values['time-scale']) });
// Clients pick metric windows from the wall clock, as on AWS.
sim.cloudwatch.queryWindowClock = 'wall';
process.stdout.write(
  `Simulator listening on ${sim.endpoint} (time scale ${sim.clock.scale}x); building the sample environment…\n`,
);
const env = await buildSampleEnvironment(sim);

const lines = Object.entries(sim.env()).map(([k, v]) => `export ${k}=${v}`);
process.stdout.write(`
Point the action or the AWS CLI at it:

${lines.join('\n')}

Sample environment:
  cluster ${env.cluster}, service ${env.service} (2 tasks of ${env.taskDefinitionArn})
  production listener  ${env.listenerUrl}   (curl it: every task answers its version)
  images               ${Object.values(env.images).join('\n                       ')}
  blue-green listener  ${env.blueGreen.listenerUrl}, test listener ${env.blueGreen.testListenerUrl}
  alarm                ${env.alarmName}

Try:  aws ecs describe-services --cluster demo --services web
Ctrl-C stops the simulator.
`);

const stop = async () => {
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
