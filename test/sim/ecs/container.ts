/**
 * A task's container as a real HTTP server on loopback, so that ALB health checks, the ALB proxy
 * and the action's smoke tests talk to something that answers the way the image would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ImageBehaviour } from './images.js';

export class TaskServer {
  private readonly server: http.Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  port = 0;
  closed = false;

  constructor(
    private readonly taskId: string,
    private readonly behaviour: ImageBehaviour,
  ) {
    this.server = http.createServer((req, res) => this.answer(req, res));
    this.server.keepAliveTimeout = 1000;
  }

  private listening?: Promise<void>;

  async listen(): Promise<number> {
    this.listening = new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    await this.listening;
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  /** Like the container's process ending: open connections are cut, nothing answers any more. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A task stopped while its container was still binding: let the bind finish, then close it.
    await this.listening;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const location = this.behaviour.redirects?.[path];
    const status = location ? 302 : (this.behaviour.status?.(path) ?? 200);
    const body = JSON.stringify({ version: this.behaviour.version, task: this.taskId, path });
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-sim-task': this.taskId,
        ...(location ? { location } : {}),
      });
      res.end(body);
    };
    // Drain the request body so keep-alive connections stay usable.
    req.resume();
    const latency = this.behaviour.latencyMs ?? 0;
    if (latency <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, latency);
    this.timers.add(timer);
  }
}
