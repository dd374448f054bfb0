/**
 * Simulated time. AWS-side durations (provisioning, health-check intervals, deregistration
 * delay, ...) are expressed in simulated milliseconds and run `scale` times faster than wall
 * time, so a five-minute ECS deployment takes seconds. The action under test never sees this:
 * it only observes what the APIs answer.
 */
export class SimClock {
  private readonly startWall = Date.now();
  private readonly startSim: number;

  constructor(
    /** How many simulated milliseconds pass per wall millisecond. */
    public scale = 60,
    startSim = Date.now(),
  ) {
    this.startSim = startSim;
  }

  /** Current simulated time, epoch milliseconds. */
  now(): number {
    return this.startSim + (Date.now() - this.startWall) * this.scale;
  }

  /** Wall milliseconds that correspond to a simulated duration. */
  toWall(simMs: number): number {
    return simMs / this.scale;
  }

  /** Resolve after a simulated duration. */
  sleep(simMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, this.toWall(simMs))));
  }
}
