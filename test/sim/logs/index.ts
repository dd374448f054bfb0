/**
 * The CloudWatch Logs part of the simulator (awsJson1_1, `Logs_20140328.<Operation>`): log
 * groups, streams and events. ECS tasks whose containers use the awslogs driver write their
 * output here, to the stream the driver names (`<prefix>/<container>/<task-id>`), through
 * `LogSink`; the action reads it back with GetLogEvents / FilterLogEvents / DescribeLogStreams.
 */
import { ACCOUNT, type LogSink, REGION } from '../contracts.js';
import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';
import { logsHandlers } from './api.js';

export interface LogEvent {
  /** Simulated epoch ms the container wrote the line. */
  timestamp: number;
  /** Simulated epoch ms CloudWatch Logs accepted it; readers see it only from then on. */
  ingestionTime: number;
  message: string;
  /** Unique, ordered: FilterLogEvents returns it. */
  eventId: string;
}

export interface LogStream {
  name: string;
  arn: string;
  creationTime: number;
  events: LogEvent[];
}

export interface LogGroup {
  name: string;
  arn: string;
  creationTime: number;
  streams: Map<string, LogStream>;
}

export const logGroupArn = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;

export class LogsSim implements LogSink {
  readonly groups = new Map<string, LogGroup>();
  readonly service: ServiceDefinition;
  /**
   * Simulated ms between a container writing a line and the line being readable. The awslogs
   * driver sends in batches and CloudWatch Logs ingests asynchronously; a reader that looks too
   * early must not see the last lines (choice: 2 s).
   */
  ingestionDelayMs = 2_000;
  private seq = 0;

  constructor(readonly sim: Simulator) {
    this.service = {
      name: 'logs',
      protocol: 'json1.1',
      targetPrefix: 'Logs_20140328',
      throttleCode: 'ThrottlingException',
      handlers: logsHandlers(this),
    };
  }

  now(): number {
    return this.sim.clock.now();
  }

  createGroup(name: string): LogGroup {
    const existing = this.groups.get(name);
    if (existing) return existing;
    const group: LogGroup = { name, arn: logGroupArn(name), creationTime: this.now(), streams: new Map() };
    this.groups.set(name, group);
    return group;
  }

  createStream(group: LogGroup, name: string): LogStream {
    const existing = group.streams.get(name);
    if (existing) return existing;
    const stream: LogStream = {
      name,
      arn: `${group.arn}:log-stream:${name}`,
      creationTime: this.now(),
      events: [],
    };
    group.streams.set(name, stream);
    return stream;
  }

  // ---------- LogSink (the ECS scheduler's side) and test API ----------

  logGroupExists(name: string): boolean {
    return this.groups.has(name);
  }

  ensureLogGroup(name: string): void {
    this.createGroup(name);
  }

  write(groupName: string, streamName: string, timestamp: number, message: string): void {
    const group = this.groups.get(groupName);
    if (!group) throw new Error(`log group ${groupName} does not exist`);
    const stream = this.createStream(group, streamName);
    this.seq += 1;
    stream.events.push({
      timestamp,
      ingestionTime: Math.max(timestamp, this.now()) + this.ingestionDelayMs,
      message,
      eventId: String(this.seq).padStart(20, '0'),
    });
  }

  /** Every message of a stream, readable or not yet (for tests). */
  messages(groupName: string, streamName: string): string[] {
    return (
      this.groups
        .get(groupName)
        ?.streams.get(streamName)
        ?.events.map((e) => e.message) ?? []
    );
  }
}
