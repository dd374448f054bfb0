/**
 * The reusable workflows and the action must agree: every `with:` a workflow passes to the
 * action is an input `action.yml` declares, every workflow input is documented in the README,
 * and third-party actions are pinned to full commit SHAs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { ROOT } from '../harness/run-action.js';

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, { inputs?: Record<string, unknown> } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps?: Step[]; uses?: string; permissions?: Record<string, string> }>;
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

  it.each(reusable)('%s sets minimal permissions with OIDC', (file, wf) => {
    // Previews also write their pull-request comment and GitHub deployment.
    const extra: Record<string, string> = file.endsWith('/preview.yml')
      ? { 'pull-requests': 'write', deployments: 'write' }
      : {};
    expect(wf.permissions).toEqual({ contents: 'read', 'id-token': 'write', ...extra });
  });
});

describe('every workflow', () => {
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
