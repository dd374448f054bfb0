/**
 * A small fake of the GitHub REST endpoints the preview commands use: issue comments (list,
 * create, update), deployments (create, list), deployment statuses (create, list) and pulls
 * (get). It listens on loopback; the action reaches it through `GITHUB_API_URL` exactly as it
 * would reach GitHub Enterprise Server. Every request is recorded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body?: Record<string, unknown>;
  authorization?: string;
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  created_at: string;
  updated_at: string;
  /** How many times it was edited. */
  edits: number;
}

export interface FakeDeployment {
  id: number;
  ref: string;
  environment: string;
  description?: string;
  transient_environment?: boolean;
  production_environment?: boolean;
  statuses: { id: number; state: string; environment_url?: string; description?: string; log_url?: string }[];
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly comments: FakeComment[] = [];
  readonly deployments: FakeDeployment[] = [];
  /** Pull request number → state; unknown numbers answer 404. */
  readonly pulls = new Map<number, 'open' | 'closed'>();
  private nextId = 1000;
  private server?: http.Server;

  static async start(): Promise<FakeGitHub> {
    const fake = new FakeGitHub();
    fake.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => fake.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The environment that points the action at this fake for repository `owner/repo`. */
  env(repository = 'example/app'): Record<string, string> {
    return { GITHUB_API_URL: this.url, GITHUB_REPOSITORY: repository };
  }

  commentsOn(issue: number): FakeComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  deploymentsOf(environment: string): FakeDeployment[] {
    return this.deployments.filter((d) => d.environment === environment);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    let body: Record<string, unknown> | undefined;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    } catch {
      return this.send(res, 400, { message: 'Problems parsing JSON' });
    }
    this.requests.push({
      method,
      path: url.pathname + url.search,
      body,
      authorization: req.headers.authorization,
    });
    const now = new Date().toISOString();
    const route = (pattern: RegExp) => pattern.exec(url.pathname);

    const issueComments = route(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/);
    if (issueComments) {
      const issue = Number(issueComments[1]);
      if (method === 'GET') {
        const page = Number(url.searchParams.get('page') ?? 1);
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const all = this.commentsOn(issue);
        return this.send(res, 200, all.slice((page - 1) * perPage, page * perPage).map(view));
      }
      if (method === 'POST') {
        const comment: FakeComment = {
          id: this.nextId++,
          issue,
          body: String(body?.body ?? ''),
          created_at: now,
          updated_at: now,
          edits: 0,
        };
        this.comments.push(comment);
        return this.send(res, 201, view(comment));
      }
    }
    const oneComment = route(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/);
    if (oneComment && method === 'PATCH') {
      const comment = this.comments.find((c) => c.id === Number(oneComment[1]));
      if (!comment) return this.send(res, 404, { message: 'Not Found' });
      comment.body = String(body?.body ?? '');
      comment.updated_at = now;
      comment.edits++;
      return this.send(res, 200, view(comment));
    }
    if (route(/^\/repos\/[^/]+\/[^/]+\/deployments$/)) {
      if (method === 'POST') {
        const d: FakeDeployment = {
          id: this.nextId++,
          ref: String(body?.ref ?? ''),
          environment: String(body?.environment ?? 'production'),
          description: body?.description as string | undefined,
          transient_environment: body?.transient_environment as boolean | undefined,
          production_environment: body?.production_environment as boolean | undefined,
          statuses: [],
        };
        this.deployments.push(d);
        return this.send(res, 201, deploymentView(d));
      }
      if (method === 'GET') {
        const env = url.searchParams.get('environment');
        const list = this.deployments.filter((d) => !env || d.environment === env).reverse();
        const page = Number(url.searchParams.get('page') ?? 1);
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        return this.send(res, 200, list.slice((page - 1) * perPage, page * perPage).map(deploymentView));
      }
    }
    const statuses = route(/^\/repos\/[^/]+\/[^/]+\/deployments\/(\d+)\/statuses$/);
    if (statuses) {
      const d = this.deployments.find((x) => x.id === Number(statuses[1]));
      if (!d) return this.send(res, 404, { message: 'Not Found' });
      if (method === 'POST') {
        const status = {
          id: this.nextId++,
          state: String(body?.state ?? ''),
          environment_url: body?.environment_url as string | undefined,
          description: body?.description as string | undefined,
          log_url: body?.log_url as string | undefined,
        };
        d.statuses.push(status);
        return this.send(res, 201, status);
      }
      if (method === 'GET') return this.send(res, 200, [...d.statuses].reverse());
    }
    const pull = route(/^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/);
    if (pull && method === 'GET') {
      const n = Number(pull[1]);
      const state = this.pulls.get(n);
      if (!state) return this.send(res, 404, { message: 'Not Found' });
      return this.send(res, 200, { number: n, state });
    }
    return this.send(res, 404, { message: `Not Found (fake GitHub has no ${method} ${url.pathname})` });
  }

  private send(res: http.ServerResponse, status: number, payload: unknown): boolean {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(payload));
    return true;
  }
}

function view(c: FakeComment) {
  return {
    id: c.id,
    body: c.body,
    created_at: c.created_at,
    updated_at: c.updated_at,
    user: { login: 'github-actions[bot]' },
  };
}

function deploymentView(d: FakeDeployment) {
  return { id: d.id, ref: d.ref, environment: d.environment, description: d.description ?? null };
}
