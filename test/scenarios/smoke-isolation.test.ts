/**
 * Smoke checks cannot leak what the job holds, through the bundled action:
 * - a redirect to another origin is the answer (and fails the check), never followed with the
 *   check's headers; a redirect within the origin is followed;
 * - `smoke-command` runs with PATH, HOME, TEST_URL and the names listed in `smoke-command-env`
 *   only: no AWS credential variable, no OIDC token request variable.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type BlueGreenEnv,
  buildBlueGreen,
  desiredCounts,
  productionWeights,
  releaseInputs,
} from './blue-green-env.js';
import { runAgainst, useSimulator } from './support.js';

const sim = useSimulator({ timeScale: 600 });

describe('smoke checks keep the job to itself', () => {
  let env: BlueGreenEnv;
  let elsewhere: http.Server;
  const received: http.IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    env = await buildBlueGreen(sim(), 'login');
    elsewhere = http.createServer((req, res) => {
      received.push(req.headers);
      res.end('{"version":"v2"}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    env.destroy();
    await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
  });

  it('fails a check redirected to another origin, and never sends its headers there', async () => {
    const other = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    sim().ecr.putImage('login', 'v2-sso');
    sim().ecs.images.define('v2-sso', { redirects: { '/old-home': '/', '/login': `${other}/sso` } });
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2-sso', {
        'smoke-tests':
          'GET /old-home 200 json:version=v2-sso\nGET /login 200 header:X-Api-Key=smoke-key-123456',
      }),
    });

    expect(result.exitCode).toBe(1);
    const smoke = JSON.parse(result.outputs['smoke-results']!) as {
      request: string;
      ok: boolean;
      got: string;
    }[];
    expect(smoke[0]).toMatchObject({ request: 'GET /old-home', ok: true });
    expect(smoke[1]).toMatchObject({ request: 'GET /login', ok: false });
    expect(smoke[1]!.got).toBe(`302 redirect to ${other} (another origin, not followed)`);
    expect(result.errors.join('\n')).toMatch(
      /Smoke test failed: GET \/login expected 200, got 302 redirect to/,
    );
    expect(received).toEqual([]);
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'live-color': 'blue' });
    expect(await productionWeights(env)).toEqual({ blue: 100, green: 0 });
    expect(await desiredCounts(env)).toEqual({ blue: 2, green: 0 });
    // The header's value looks like a credential: masked, so no line printed it.
    expect(result.stdout).not.toContain('smoke-key-123456');
  });

  it('gives smoke-command no AWS credential or OIDC token variable', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'smoke-env-')), 'env.txt');
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2', {
        'smoke-command': 'env > "$SMOKE_ENV_FILE"',
        'smoke-command-env': 'SMOKE_ENV_FILE, NOT_SET_ANYWHERE',
      }),
      env: {
        SMOKE_ENV_FILE: out,
        ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token',
        AWS_SESSION_TOKEN: 'session-token-from-the-job',
        UNLISTED_VARIABLE: 'not for the command',
      },
    });

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const names = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(0, line.indexOf('=')));
    expect(names).toContain('TEST_URL');
    expect(names).toContain('PATH');
    expect(names).toContain('SMOKE_ENV_FILE');
    expect(names.filter((n) => /^(AWS_|ACTIONS_|INPUT_|GITHUB_|RUNNER_|STATE_)/.test(n))).toEqual([]);
    expect(names).not.toContain('UNLISTED_VARIABLE');
    // What sh itself sets (PWD, SHLVL, _) is all there is besides what was passed.
    expect(
      names.filter(
        (n) => !['TEST_URL', 'PATH', 'HOME', 'SMOKE_ENV_FILE', 'PWD', 'SHLVL', '_', 'OLDPWD'].includes(n),
      ),
    ).toEqual([]);
  });

  it('refuses to pass AWS_ or ACTIONS_ variables to the command, before any AWS call', async () => {
    sim().log.clear();
    const result = await runAgainst(sim(), {
      inputs: releaseInputs(env, 'v2', {
        'smoke-command': 'true',
        'smoke-command-env': 'AWS_SECRET_ACCESS_KEY',
      }),
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(
      /Input "smoke-command-env" is invalid: AWS_SECRET_ACCESS_KEY carries the job's credentials\. Expected: names of environment variables/,
    );
    expect(sim().log.calls.filter((c) => c.userAgent?.includes('deploy-action'))).toEqual([]);
  });
});
