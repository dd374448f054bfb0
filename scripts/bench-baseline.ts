/**
 * `npm run bench:baseline -- <git ref>`: bundles the action as it was at `<ref>` into a
 * directory outside the repository, so `npm run bench` can time today's `dist/` against it in
 * the same run on the same machine (a figure from another run or another machine is noise).
 *
 *   npm run bench:baseline -- v1.2.0          # prints the directory it built
 *   BENCH_BASELINE_DIST=<that dir> npm run bench startup
 *
 * Nothing is committed: the ref is checked out in a temporary worktree, installed from its own
 * lock file and bundled with its own scripts; only its `dist/` is kept. A second call for the
 * same commit reuses the build.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../test/harness/run-action.js';

const ref = process.argv[2];
if (!ref) {
  console.error('usage: npm run bench:baseline -- <git ref>   (a commit, tag or branch to compare with)');
  process.exit(2);
}
const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
const out = path.join(os.tmpdir(), `deploy-action-baseline-${sha.slice(0, 12)}`);

if (!existsSync(path.join(out, 'dist', 'index.js'))) {
  const tree = mkdtempSync(path.join(os.tmpdir(), 'deploy-action-baseline-tree-'));
  try {
    git('worktree', 'add', '--detach', tree, sha);
    const run = (cmd: string, args: string[]) =>
      execFileSync(cmd, args, { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'] });
    process.stderr.write(`installing and bundling ${ref} (${sha.slice(0, 12)}) …\n`);
    run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts']);
    run('npm', ['run', 'bundle']);
    rmSync(out, { recursive: true, force: true });
    cpSync(path.join(tree, 'dist'), path.join(out, 'dist'), { recursive: true });
  } finally {
    git('worktree', 'remove', '--force', tree);
    rmSync(tree, { recursive: true, force: true });
  }
}
// The one line on stdout: what BENCH_BASELINE_DIST should be set to.
console.log(path.join(out, 'dist'));
