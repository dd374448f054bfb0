/**
 * Releases the action itself: `npm run release -- 1.2.0 [--push]`.
 *
 * Refuses unless the work tree is clean, the version is semver and newer than every existing
 * tag, package.json says that version, CHANGELOG.md has a section for it, and `dist/` is what
 * a fresh `npm run bundle` of this commit builds (the Actions runner runs `dist/`, never `src/`).
 * Then it tags the commit `vX.Y.Z` (annotated, with the changelog section as message) and moves
 * the major tag `vX` to it, so `uses: carecompanion/deploy-action@v1` — and the README's,
 * examples' and schema URL's `v1` — follow the newest 1.x. `--push` pushes both tags (the moving
 * one with `--force`, the only tag ever rewritten).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function parseVersion(text: string): Semver {
  const m = SEMVER.exec(text.replace(/^v/, ''));
  if (!m) throw new Error(`version "${text}" is not of the form X.Y.Z (e.g. 1.2.0)`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export const format = (v: Semver) => `${v.major}.${v.minor}.${v.patch}`;
const compare = (a: Semver, b: Semver) => a.major - b.major || a.minor - b.minor || a.patch - b.patch;

/** The body of `## [X.Y.Z]` (or `## X.Y.Z`) in a Keep a Changelog file, without its heading. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n');
  const heading = new RegExp(`^## \\[?${version.replace(/\./g, '\\.')}\\]?(\\s|$)`);
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
  return body || undefined;
}

export interface ReleaseOptions {
  cwd: string;
  version: string;
  /** Rebuilds dist/ in `cwd` (the real one runs `npm run bundle`). */
  bundle: () => void;
  push: boolean;
  log?: (line: string) => void;
}

export interface ReleasePlan {
  tag: string;
  majorTag: string;
  commit: string;
  notes: string;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function release(options: ReleaseOptions): ReleasePlan {
  const { cwd } = options;
  const log = options.log ?? console.log;
  const version = parseVersion(options.version);
  const tag = `v${format(version)}`;
  const majorTag = `v${version.major}`;

  if (git(cwd, 'status', '--porcelain'))
    throw new Error('the work tree has uncommitted changes: commit or stash them first');
  const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { version?: string };
  if (pkg.version !== format(version))
    throw new Error(
      `package.json says version ${pkg.version}, not ${format(version)}: bump it in the release commit`,
    );
  const notes = changelogSection(readFileSync(path.join(cwd, 'CHANGELOG.md'), 'utf8'), format(version));
  if (!notes)
    throw new Error(`CHANGELOG.md has no section "## [${format(version)}]" with the changes of this release`);

  const existing = git(cwd, 'tag', '--list', 'v*.*.*')
    .split('\n')
    .filter((t) => SEMVER.test(t.slice(1)));
  if (existing.includes(tag)) throw new Error(`tag ${tag} exists already: releases are never re-tagged`);
  const newest = existing.map(parseVersion).sort(compare).at(-1);
  if (newest && compare(version, newest) <= 0)
    throw new Error(`${tag} is not newer than the latest release v${format(newest)}`);

  log('rebuilding dist/ to check it matches the sources');
  options.bundle();
  const drift = git(cwd, 'status', '--porcelain', '--', 'dist');
  if (drift) {
    git(cwd, 'checkout', '--', 'dist');
    git(cwd, 'clean', '-fdq', '--', 'dist');
    throw new Error(
      `dist/ is not a fresh bundle of this commit; run "npm run bundle" and commit dist/:\n${drift}`,
    );
  }

  const commit = git(cwd, 'rev-parse', 'HEAD');
  git(cwd, 'tag', '--annotate', '--cleanup=verbatim', tag, '--message', `${tag}\n\n${notes}`, commit);
  // The major tag is lightweight and moves: it always names the newest release of that major.
  git(cwd, 'tag', '--force', majorTag, commit);
  log(`tagged ${commit.slice(0, 12)} as ${tag} and moved ${majorTag}`);
  if (options.push) {
    git(cwd, 'push', 'origin', `refs/tags/${tag}`);
    git(cwd, 'push', '--force', 'origin', `refs/tags/${majorTag}`);
    log(`pushed ${tag} and ${majorTag}`);
  }
  return { tag, majorTag, commit, notes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const version = args.find((a) => !a.startsWith('--'));
  if (!version) {
    console.error('usage: npm run release -- X.Y.Z [--push]');
    process.exit(2);
  }
  const cwd = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  try {
    release({
      cwd,
      version,
      push: args.includes('--push'),
      bundle: () => execFileSync('npm', ['run', 'bundle'], { cwd, stdio: ['ignore', 'ignore', 'inherit'] }),
    });
  } catch (err) {
    console.error(`release refused: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
