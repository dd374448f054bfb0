/**
 * Preview settings come from the pull request's base commit, never from its own files. The
 * workflow checks the base commit out and names the config file there (`base-config`); before
 * reading it, this module checks that the file's checkout really is at the base commit the
 * event names, so a step that checked out the pull request's head by mistake is refused rather
 * than trusted. A pull request then changes its preview's image, nothing else: the cluster,
 * listener, domain, roles, secrets, network and size are the base branch's.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SettingsError } from './errors.js';

/** The git directory of the checkout holding `file`, and the checkout's root. */
function checkoutOf(file: string): { root: string; gitDir: string } | undefined {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const git = path.join(dir, '.git');
    if (existsSync(git)) {
      if (statSync(git).isDirectory()) return { root: dir, gitDir: git };
      // A worktree or submodule: `.git` is a file naming the real git directory.
      const m = /^gitdir:\s*(.+)\s*$/m.exec(readFileSync(git, 'utf8'));
      if (m) return { root: dir, gitDir: path.resolve(dir, m[1]!) };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The commit a checkout is at: a detached HEAD (as actions/checkout leaves a SHA), or a branch's tip. */
export function headCommit(gitDir: string): string | undefined {
  const head = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
  if (/^[0-9a-f]{40}$/.test(head)) return head;
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (!ref) return undefined;
  const loose = path.join(gitDir, ref);
  if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
  const packed = path.join(gitDir, 'packed-refs');
  if (!existsSync(packed)) return undefined;
  const line = readFileSync(packed, 'utf8')
    .split('\n')
    .find((l) => l.endsWith(` ${ref}`));
  return line?.slice(0, 40);
}

/**
 * Where the base config lives; refuses a file that is not at the base commit. `baseSha` is the
 * event's `pull_request.base.sha` (absent for the scheduled sweep, which has no pull request).
 */
export function locateBaseConfig(
  workspace: string,
  relative: string,
  baseSha: string | undefined,
): { file: string; root: string } {
  const file = path.resolve(workspace, relative);
  if (!existsSync(file)) {
    throw new SettingsError(
      `Input "base-config": file ${relative} does not exist. Expected: the config file of a checkout of the pull request's base commit.`,
    );
  }
  const checkout = checkoutOf(file);
  if (!baseSha) return { file, root: checkout?.root ?? workspace };
  const at = checkout ? headCommit(checkout.gitDir) : undefined;
  if (at !== baseSha) {
    throw new SettingsError(
      `Input "base-config": ${relative} is ${at ? `at commit ${at}` : 'not in a git checkout'}, not at the pull request's base commit ${baseSha}. Expected: the config file of a checkout of the base commit (actions/checkout with ref: the pull request's base.sha), never the pull request's own files.`,
    );
  }
  return { file, root: checkout!.root };
}
