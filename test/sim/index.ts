/**
 * The local AWS simulator: one control-plane port for ECS, ECR, ELBv2, CloudWatch,
 * CloudWatch Logs and Application Auto Scaling, a scheduler in simulated time, tasks that are real HTTP servers,
 * and listeners that are real HTTP proxies. Tests start it in-process; `npm run sim` starts it
 * standalone. Nothing in `src/` knows it exists: the action reaches it through the SDK's
 * `AWS_ENDPOINT_URL`.
 */
import { AutoScalingSim } from './autoscaling/index.js';
import { CloudWatchSim } from './cloudwatch/index.js';
import { CallLog } from './core/call-log.js';
import { SimClock } from './core/clock.js';
import { Faults } from './core/faults.js';
import { ControlPlaneServer } from './core/server.js';
import { EcrSim } from './ecr/index.js';
import { EcsSim } from './ecs/index.js';
import { ElbSim } from './elb/index.js';
import { LogsSim } from './logs/index.js';

export { ACCOUNT, REGION } from './contracts.js';

export interface SimulatorOptions {
  /** Simulated milliseconds per wall millisecond (default 60: a 5-minute deploy takes 5 s). */
  timeScale?: number;
  /** Control-plane port (default: any free port). */
  port?: number;
}

export class Simulator {
  readonly clock: SimClock;
  readonly log = new CallLog();
  readonly faults = new Faults();
  readonly server: ControlPlaneServer;
  readonly ecr: EcrSim;
  readonly elb: ElbSim;
  readonly cloudwatch: CloudWatchSim;
  readonly autoscaling: AutoScalingSim;
  readonly logs: LogsSim;
  readonly ecs: EcsSim;

  private constructor(options: SimulatorOptions) {
    this.clock = new SimClock(options.timeScale ?? 60);
    this.server = new ControlPlaneServer(this.log, this.faults);
    // Order matters only for construction: ECS reaches ELB, ECR and autoscaling through `this`.
    this.ecr = new EcrSim(this);
    this.cloudwatch = new CloudWatchSim(this);
    this.elb = new ElbSim(this);
    this.autoscaling = new AutoScalingSim(this);
    this.logs = new LogsSim(this);
    this.ecs = new EcsSim(this);
    for (const part of [this.ecr, this.cloudwatch, this.elb, this.autoscaling, this.logs, this.ecs]) {
      this.server.register(part.service);
    }
  }

  static async start(options: SimulatorOptions = {}): Promise<Simulator> {
    const sim = new Simulator(options);
    await sim.server.listen(options.port ?? 0);
    return sim;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** Environment that points the AWS SDK (or the AWS CLI) at this simulator. */
  env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIASIMULATOR0000000',
      AWS_SECRET_ACCESS_KEY: 'simulator-secret-key',
      // Keep the SDK from reading a developer's ~/.aws files.
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  }

  async stop(): Promise<void> {
    this.faults.stop();
    await this.ecs.stop();
    await this.elb.stop();
    await this.cloudwatch.stop();
    await this.server.close();
  }
}
