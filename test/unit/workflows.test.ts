/**
 * The reusable workflows and the action must agree: every `with:` a workflow passes to the
 * action is an input `action.yml` declares, every workflow input is documented in the README.
 * And they hold the security properties: permissions per job and minimal, checkouts without a
 * persisted token, third-party actions pinned to full commit SHAs, no expression in `run:`, the
 * build job on its own role, production on the digest staging verified, rollback and previews on
 * configuration their caller cannot change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { ROOT } from '../harness/run-action.js';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  environment?: string;
  steps?: Step[];
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
}
interface Workflow {
  on: Record<
    string,
    { inputs?: Record<string, unknown>; outputs?: Record<string, { value: string }> } | null
  >;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>;
};
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function workflows(dir: string): [string, Workflow][] {
  return readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => [`${dir}/${f}`, parse(readFileSync(path.join(ROOT, dir, f), 'utf8')) as Workflow]);
}

const reusable = workflows('.github/workflows').filter(([, wf]) => 'workflow_call' in wf.on);
const all = [...workflows('.github/workflows'), ...workflows('examples')];

describe('reusable workflows', () => {
  it('exist: preview, release and rollback', () => {
    expect(reusable.map(([f]) => f).sort()).toEqual([
      '.github/workflows/preview.yml',
      '.github/workflows/release.yml',
      '.github/workflows/rollback.yml',
    ]);
  });

  it.each(reusable)('%s passes the action only inputs action.yml declares', (_file, wf) => {
    const actionSteps = Object.values(wf.jobs)
      .flatMap((j) => j.steps ?? [])
      .filter((s) => s.uses === './.deploy-action');
    expect(actionSteps.length).toBeGreaterThan(0);
    for (const step of actionSteps) {
      const unknown = Object.keys(step.with ?? {}).filter((k) => !(k in action.inputs));
      expect(unknown).toEqual([]);
    }
  });

  it.each(reusable)('%s documents every input in the README', (_file, wf) => {
    const inputs = Object.keys(wf.on.workflow_call?.inputs ?? {});
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) expect(readme).toContain(`| \`${input}\` |`);
  });
});

/** What a job may be granted: read the code, an OIDC token, and for previews the PR comment and deployment. */
const GRANTABLE: Record<string, string> = {
  contents: 'read',
  'id-token': 'write',
  'pull-requests': 'write',
  deployments: 'write',
};
/** A `${{ … }}` expression as the workflow text spells it. */
const expr = (e: string) => `\${{ ${e} }}`;
/**
 * The one job that writes to this repository: releasing the action pushes its tags (with the
 * checkout's token) and creates the GitHub release.
 */
const WRITES_REPOSITORY: Record<string, string[]> = { '.github/workflows/release-action.yml': ['release'] };
const isCheckout = (s: Step) => s.uses?.startsWith('actions/checkout@') ?? false;
const isCredentials = (s: Step) => s.uses?.startsWith('aws-actions/configure-aws-credentials@') ?? false;
const file = (name: string) => parse(readFileSync(path.join(ROOT, name), 'utf8')) as Workflow;

describe('every workflow', () => {
  it.each(all)('%s grants no permissions at the workflow level and minimal ones per job', (f, wf) => {
    expect(wf.permissions).toEqual({});
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect([name, job.permissions]).toEqual([name, expect.any(Object)]);
      const writes = WRITES_REPOSITORY[f]?.includes(name);
      for (const [scope, level] of Object.entries(job.permissions ?? {})) {
        const allowed = writes && scope === 'contents' ? 'write' : GRANTABLE[scope];
        expect([name, scope, level]).toEqual([name, scope, allowed]);
      }
      // Only jobs that assume a role (or call a workflow that does) get an OIDC token.
      const assumes = (job.steps ?? []).some(isCredentials) || job.uses !== undefined;
      if (!assumes) expect([name, job.permissions?.['id-token']]).toEqual([name, undefined]);
    }
  });

  it.each(all)('%s checks out without persisting the token', (f, wf) => {
    for (const [name, job] of Object.entries(wf.jobs)) {
      if (WRITES_REPOSITORY[f]?.includes(name)) continue;
      for (const step of (job.steps ?? []).filter(isCheckout)) {
        expect(step.with?.['persist-credentials']).toBe(false);
      }
    }
  });

  it.each(all)('%s interpolates no expression into a run: script', (_f, wf) => {
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps ?? []) expect(step.run ?? '').not.toContain('${{');
    }
  });
});

describe('release.yml', () => {
  const wf = file('.github/workflows/release.yml');
  const build = wf.jobs.build!;
  const deploy = wf.jobs.deploy!;
  const roleOf = (job: Job) => job.steps?.filter(isCredentials).map((s) => s.with?.['role-to-assume']);

  it('builds and pushes with its own role in its own environment, never the deploy role', () => {
    expect(roleOf(build)).toEqual([expr('inputs.build-role-to-assume')]);
    expect(build.environment).toBe(expr('inputs.build-environment'));
    expect(JSON.stringify(build)).not.toContain('inputs.role-to-assume');
    // The image is built before any credential exists in the job.
    const steps = build.steps ?? [];
    const buildStep = steps.findIndex((s) => /docker build/.test(s.run ?? ''));
    expect(buildStep).toBeGreaterThanOrEqual(0);
    expect(buildStep).toBeLessThan(steps.findIndex(isCredentials));
  });

  it('deploys with the environment role inside that environment', () => {
    expect(roleOf(deploy)).toEqual([expr('inputs.role-to-assume')]);
    expect(deploy.environment).toBe(expr('inputs.environment'));
  });

  it('deploys the digest the build pushed (or the one given to promote), refusing a tag', () => {
    expect(build.outputs?.image).toBe(expr('steps.push.outputs.image'));
    const push = build.steps!.find((s) => s.id === 'push')!;
    expect(push.run).toMatch(/imageDigest/);
    expect(push.run).toMatch(/echo "image=\$\{registry\}\/\$\{REPOSITORY\}@\$\{digest\}"/);
    const pin = deploy.steps!.find((s) => s.id === 'image')!;
    expect(pin.env?.IMAGE).toBe(expr('needs.build.outputs.image || inputs.image'));
    const pattern = /\[\[ "\$IMAGE" =~ (\S+) \]\]/.exec(pin.run ?? '')?.[1];
    expect(pattern).toBeDefined();
    const digest = `111122223333.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:${'a'.repeat(64)}`;
    expect(new RegExp(pattern!).test(digest)).toBe(true);
    expect(new RegExp(pattern!).test('111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:latest')).toBe(false);
    const action = deploy.steps!.find((s) => s.uses === './.deploy-action')!;
    expect(action.with?.images).toBe(`${expr('inputs.container')}=${expr('steps.image.outputs.image')}`);
    expect(wf.on.workflow_call?.outputs?.image?.value).toBe(expr('jobs.deploy.outputs.image'));
  });

  it("the example promotes staging's digest to production without building or a build role", () => {
    const example = file('examples/release.yml');
    const production = example.jobs.production!;
    expect(production.needs).toBe('staging');
    expect(production.with?.image).toBe(expr('needs.staging.outputs.image'));
    expect(production.with?.['build-role-to-assume']).toBeUndefined();
    expect(example.jobs.staging?.with?.['build-role-to-assume']).not.toEqual(
      example.jobs.staging?.with?.['role-to-assume'],
    );
  });
});

describe('rollback.yml', () => {
  it('reads its config from the default branch', () => {
    const wf = file('.github/workflows/rollback.yml');
    const checkouts = wf.jobs.rollback!.steps!.filter(isCheckout);
    const workspace = checkouts.filter((s) => s.with?.path === undefined);
    expect(workspace.map((s) => s.with?.ref)).toEqual([expr('github.event.repository.default_branch')]);
  });
});

describe('third-party actions', () => {
  it.each(all)('%s pins third-party actions to a full commit SHA', (_file, wf) => {
    for (const job of Object.values(wf.jobs)) {
      for (const uses of [job.uses, ...(job.steps ?? []).map((s) => s.uses)]) {
        if (!uses || uses.startsWith('./') || uses.startsWith('carecompanion/deploy-action')) continue;
        expect(uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      }
    }
  });
});

describe('preview.yml', () => {
  const text = readFileSync(path.join(ROOT, '.github/workflows/preview.yml'), 'utf8');
  const wf = parse(text) as {
    jobs: Record<
      string,
      { if?: string; needs?: string; steps?: (Step & { run?: string; env?: Record<string, string> })[] }
    >;
  };
  const awsJobs = Object.entries(wf.jobs).filter(([, j]) =>
    (j.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials')),
  );

  it('gives pull requests from forks no AWS credentials, and tells them why', () => {
    expect(awsJobs.length).toBeGreaterThan(0);
    for (const [, job] of awsJobs) {
      const guard = job.if ?? (job.needs ? wf.jobs[job.needs]?.if : undefined) ?? '';
      if (guard.includes('pull_request')) expect(guard).toContain('head.repo.full_name == github.repository');
      else expect(guard).not.toContain('pull_request');
    }
    expect(wf.jobs.fork?.if).toContain('head.repo.full_name != github.repository');
    expect(JSON.stringify(wf.jobs.fork?.steps)).toContain('::notice');
  });

  it('checks out the pull request only to build it; the action runs on the base commit', () => {
    for (const [name, job] of Object.entries(wf.jobs)) {
      const refs = (job.steps ?? [])
        .filter(isCheckout)
        .filter((s) => s.with?.path === undefined)
        .map((s) => s.with?.ref);
      if (name === 'build') expect(refs).toEqual([expr('github.event.pull_request.head.sha')]);
      else for (const ref of refs) expect(ref).not.toMatch(/head/);
    }
    for (const job of ['up', 'down']) {
      const checkouts = wf.jobs[job]!.steps!.filter(isCheckout).filter((s) => s.with?.path === undefined);
      expect(checkouts.map((s) => s.with?.ref)).toEqual([expr('github.event.pull_request.base.sha')]);
    }
    // The action reads the base checkout's config as `base-config`, never a `config` it would refuse.
    for (const job of ['up', 'down', 'sweep']) {
      const step = wf.jobs[job]!.steps!.find((s) => s.uses === './.deploy-action')!;
      expect(step.with?.['base-config']).toBe(expr('inputs.config'));
      expect(step.with?.config).toBeUndefined();
    }
    // The build job never runs the action and builds before it has credentials.
    const build = wf.jobs.build!.steps!;
    expect(build.some((s) => s.uses === './.deploy-action')).toBe(false);
    expect(build.findIndex((s) => /docker build/.test(s.run ?? ''))).toBeLessThan(
      build.findIndex(isCredentials),
    );
  });

  it('interpolates no event text into scripts (numbers and SHAs go through env)', () => {
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps ?? []) expect(step.run ?? '').not.toContain('${{');
    }
    expect(text).not.toMatch(/github\.event\.pull_request\.(title|body|head\.ref|head\.label)/);
  });

  it('runs up on opened/synchronize/reopened, down on closed, sweep on a schedule', () => {
    const example = parse(readFileSync(path.join(ROOT, 'examples/preview.yml'), 'utf8')) as {
      on: { pull_request: { types: string[] }; schedule: unknown[] };
    };
    expect(example.on.pull_request.types).toEqual(['opened', 'synchronize', 'reopened', 'closed']);
    expect(example.on.schedule.length).toBe(1);
    expect(wf.jobs.build?.if).toContain("github.event.action != 'closed'");
    expect(wf.jobs.up?.needs).toBe('build');
    expect(wf.jobs.down?.if).toContain("github.event.action == 'closed'");
    expect(wf.jobs.sweep?.if).toContain("github.event_name == 'schedule'");
  });
});

describe('release.yml migrations', () => {
  const wf = parse(readFileSync(path.join(ROOT, '.github/workflows/release.yml'), 'utf8')) as {
    on: { workflow_call: { inputs: Record<string, { default?: string }> } };
    jobs: { deploy: { steps: (Step & { id?: string; if?: string })[] } };
  };
  const steps = wf.jobs.deploy.steps;
  const migrate = steps.findIndex((s) => s.id === 'migrate');
  const deploy = steps.findIndex((s) => s.id === 'deploy');

  it("runs the migration as a one-off task of the release's own settings and image, only when asked", () => {
    expect(wf.on.workflow_call.inputs['migration-command']?.default).toBe('');
    expect(steps[migrate]).toMatchObject({
      uses: './.deploy-action',
      if: "inputs.migration-command != ''",
      with: { command: 'run-task', 'run-command': `${'$'}{{ inputs.migration-command }}` },
    });
    // Same config, environment and image as the deploy: it renders the same revision.
    for (const key of ['config', 'environment', 'images'])
      expect(steps[migrate]!.with![key]).toBe(steps[deploy]!.with![key]);
  });

  it('runs it before the deploy step, which a failed migration then skips', () => {
    expect(migrate).toBeGreaterThanOrEqual(0);
    expect(migrate).toBeLessThan(deploy);
    // No `always()` or `failure()` on the deploy: after a failed step the runner skips it.
    expect(steps[deploy]!.if ?? '').not.toMatch(/always\(\)|failure\(\)|cancelled\(\)/);
  });
});
