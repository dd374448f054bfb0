/** Service event texts, worded as ECS writes them (users and the action read these). */
import { randomUUID } from 'node:crypto';
import type { Service } from './model.js';

/** ECS keeps the most recent 100 events per service. */
const MAX_EVENTS = 100;

export function addEvent(service: Service, nowMs: number, message: string): void {
  service.events.unshift({ id: randomUUID(), createdAt: new Date(nowMs), message });
  if (service.events.length > MAX_EVENTS) service.events.length = MAX_EVENTS;
}

const taskList = (ids: string[]) => ids.map((id) => `(task ${id})`).join(' ');

export const messages = {
  started: (s: string, ids: string[]) => `(service ${s}) has started ${ids.length} tasks: ${taskList(ids)}.`,
  stopped: (s: string, ids: string[]) =>
    `(service ${s}) has stopped ${ids.length} running tasks: ${taskList(ids)}.`,
  registered: (s: string, n: number, tg: string) =>
    `(service ${s}) registered ${n} targets in (target-group ${tg})`,
  draining: (s: string, n: number) => `(service ${s}) has begun draining connections on ${n} tasks.`,
  deregistered: (s: string, n: number, tg: string) =>
    `(service ${s}) deregistered ${n} targets in (target-group ${tg})`,
  unhealthyInTg: (s: string, task: string, port: number, tg: string, reason: string) =>
    `(service ${s}) (task ${task}) (port ${port}) is unhealthy in (target-group ${tg}) due to (reason ${reason}).`,
  failedContainerHealth: (s: string, task: string) =>
    `(service ${s}) (task ${task}) failed container health checks.`,
  deploymentFailed: (s: string, d: string) =>
    `(service ${s}) (deployment ${d}) deployment failed: tasks failed to start.`,
  rollingBack: (s: string, d: string) => `(service ${s}) rolling back to deployment ${d}.`,
  deploymentCompleted: (s: string, d: string) => `(service ${s}) (deployment ${d}) deployment completed.`,
  steady: (s: string) => `(service ${s}) has reached a steady state.`,
  stuck: (s: string) =>
    `(service ${s}) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.`,
  alarmFailed: (s: string, d: string, alarms: string[]) =>
    `(service ${s}) (deployment ${d}) deployment failed: alarm detected. Alarms in ALARM state: ${alarms.join(', ')}.`,
  unableToStart: (s: string) => `(service ${s}) is unable to consistently start tasks successfully.`,
};

export const rollout = {
  inProgress: (d: string) => `ECS deployment ${d} in progress.`,
  completed: (d: string) => `ECS deployment ${d} completed.`,
  failed: 'ECS deployment circuit breaker: tasks failed to start.',
  rollingBack: (d: string) => `ECS deployment circuit breaker: rolling back to deploymentId ${d}.`,
  // Not an observed text: ECS's exact wording for alarm failures is not in our references.
  alarmFailed: (alarms: string[]) => `ECS deployment alarm detected: ${alarms.join(', ')} in ALARM state.`,
};
