/**
 * The control-plane endpoint: one loopback HTTP port that answers every AWS service the action
 * uses. The SDK reaches it through `AWS_ENDPOINT_URL`; the service is recognised by the
 * `X-Amz-Target` prefix (JSON protocols) or by the form's `Action` (ELBv2's awsQuery).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CallLog, isMutating } from './call-log.js';
import { AwsError, unknownOperation } from './errors.js';
import { type Faults, injected5xx } from './faults.js';
import {
  decodeQuery,
  encodeJson,
  encodeJsonError,
  encodeQuery,
  encodeQueryError,
  type Protocol,
  type WireResponse,
} from './protocols.js';

// biome-ignore lint/suspicious/noExplicitAny: handlers receive the decoded request of their own operation
export type Handler = (params: any) => unknown;

export interface ServiceDefinition {
  /** Short name used in the call log: `ecs`, `ecr`, `elbv2`, `cloudwatch`, `autoscaling`. */
  name: string;
  protocol: Protocol;
  /** `X-Amz-Target` prefix before the dot, for JSON protocols. */
  targetPrefix?: string;
  /** XML namespace of responses, for awsQuery. */
  xmlns?: string;
  /** The error code the service uses for throttling. */
  throttleCode: string;
  handlers: Record<string, Handler>;
}

export class ControlPlaneServer {
  private readonly server: http.Server;
  private readonly byTarget = new Map<string, ServiceDefinition>();
  private queryService?: ServiceDefinition;
  port = 0;

  constructor(
    private readonly log: CallLog,
    private readonly faults: Faults,
  ) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, Buffer.concat(chunks).toString('utf8')).then(
          (wire) => {
            res.writeHead(wire.status, { ...wire.headers, 'x-amzn-requestid': randomUUID() });
            res.end(wire.body);
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(String(err));
          },
        );
      });
    });
    // The SDK keeps connections alive; do not let them hold the process open on close().
    this.server.keepAliveTimeout = 1000;
  }

  register(service: ServiceDefinition): void {
    if (service.protocol === 'query') this.queryService = service;
    else if (service.targetPrefix) this.byTarget.set(service.targetPrefix, service);
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, body: string): Promise<WireResponse> {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const dot = target.lastIndexOf('.');
      const service = this.byTarget.get(target.slice(0, dot));
      const operation = target.slice(dot + 1);
      const protocol = service?.protocol === 'json1.0' ? 'json1.0' : 'json1.1';
      if (!service) return encodeJsonError(protocol, unknownOperation(target.slice(0, dot), operation));
      const params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      try {
        const result = await this.invoke(service, operation, params, userAgent(req), accessKeyOf(req));
        return encodeJson(protocol, result);
      } catch (err) {
        return encodeJsonError(protocol, toAwsError(err));
      }
    }
    // awsQuery (ELBv2): a form body carrying Action and Version.
    const form = decodeQuery(body);
    const operation = String(form.Action ?? '');
    delete form.Action;
    delete form.Version;
    const requestId = randomUUID();
    const service = this.queryService;
    if (!service) return encodeQueryError(unknownOperation('query', operation), requestId);
    try {
      const result = await this.invoke(service, operation, form, userAgent(req), accessKeyOf(req));
      return encodeQuery(operation, service.xmlns ?? '', result, requestId);
    } catch (err) {
      return encodeQueryError(toAwsError(err), requestId);
    }
  }

  private async invoke(
    service: ServiceDefinition,
    operation: string,
    params: Record<string, unknown>,
    agent: string,
    accessKeyId: string | undefined,
  ) {
    const record = {
      at: Date.now(),
      service: service.name,
      operation,
      params,
      mutating: isMutating(operation),
      userAgent: agent,
      accessKeyId,
    } as Parameters<CallLog['record']>[0];
    this.log.record(record);
    try {
      const plan = await this.faults.apply(operation, service.throttleCode);
      const handler = service.handlers[operation];
      if (!handler) throw unknownOperation(service.name, operation);
      const run = async () => {
        const result = await handler(params);
        record.landedAt = Date.now();
        return result;
      };
      const late = plan.lateEffect;
      if (late?.answer === 'before') {
        // The caller is answered now; the change lands on its own. A failure when it lands
        // reaches nobody (as on AWS): it is kept in the call log only.
        this.faults.later(Math.max(0, late.effectDelayMs - (Date.now() - record.at)), async () => {
          try {
            await run();
          } catch (err) {
            record.effectError = toAwsError(err).code;
          }
        });
        await sleep(late.latencyMs);
        return {};
      }
      if (late) await sleep(Math.max(0, late.effectDelayMs - (Date.now() - record.at)));
      const result = await run();
      if (late) await sleep(late.latencyMs);
      if (plan.landThen5xx) throw injected5xx();
      return result;
    } catch (err) {
      record.error = toAwsError(err).code;
      throw err;
    }
  }
}

/** The SDK's user agent (the action adds its name to it), so tests tell its calls from their own. */
function userAgent(req: http.IncomingMessage): string {
  const header = req.headers['x-amz-user-agent'] ?? req.headers['user-agent'] ?? '';
  return Array.isArray(header) ? header.join(' ') : header;
}

/** The access key that signed the call (SigV4 `Credential=<key>/<date>/…`), as CloudTrail records it. */
function accessKeyOf(req: http.IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return typeof auth === 'string' ? /Credential=([^/,\s]+)\//.exec(auth)?.[1] : undefined;
}

function toAwsError(err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  // A simulator bug must not look like an AWS answer the action could misread as success.
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return new AwsError('InternalFailure', `simulator error: ${message}`, 500, 'Receiver');
}
