/**
 * The release process of the action itself: the script refuses what would publish a broken or
 * ambiguous release, tags vX.Y.Z and moves vX; and what users are told to reference (README,
 * examples, the schema URL) is the moving major tag of package.json's version.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { changelogSection, parseVersion, release } from '../../scripts/release.js';
import { ROOT } from '../harness/run-action.js';

const CHANGELOG = `# Changelog\n\n## [Unreleased]\n\n## [1.1.0]\n\n### Added\n\n- run-task\n\n## [1.0.0]\n\n- first\n`;

describe('release script', () => {
  let dir: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  const commit = () => {
    git('add', '-A');
    git('commit', '-qm', 'change');
  };
  const freshBundle = () => write('dist/index.js', 'bundle of src\n');
  const run = (version: string, bundle = freshBundle) =>
    release({ cwd: dir, version, bundle, push: false, log: () => {} });

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'release-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'dev@example.com');
    git('config', 'user.name', 'dev');
    write('package.json', JSON.stringify({ version: '1.0.0' }));
    write('CHANGELOG.md', CHANGELOG);
    freshBundle();
    commit();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tags vX.Y.Z with the changelog section and moves vX to the same commit', () => {
    const first = run('1.0.0');
    expect(first).toMatchObject({ tag: 'v1.0.0', majorTag: 'v1', notes: '- first' });
    write('package.json', JSON.stringify({ version: '1.1.0' }));
    commit();
    const second = run('1.1.0');
    expect(git('rev-parse', 'v1^{commit}')).toBe(second.commit);
    expect(git('rev-parse', 'v1.0.0^{commit}')).toBe(first.commit);
    expect(git('tag', '--list', '--format=%(contents:body)', 'v1.1.0')).toBe('### Added\n\n- run-task');
  });

  it('refuses a stale dist/, and leaves the tree as it was', () => {
    expect(() => run('1.0.0', () => write('dist/index.js', 'something else\n'))).toThrow(
      /dist\/ is not a fresh bundle/,
    );
    expect(git('status', '--porcelain')).toBe('');
    expect(git('tag', '--list')).toBe('');
  });

  it('refuses a dirty tree, a version package.json does not say, one without a changelog section, and an old one', () => {
    write('stray.txt', 'x');
    expect(() => run('1.0.0')).toThrow(/uncommitted changes/);
    rmSync(path.join(dir, 'stray.txt'));
    expect(() => run('1.1.0')).toThrow(/package.json says version 1.0.0/);
    write('package.json', JSON.stringify({ version: '1.2.0' }));
    commit();
    expect(() => run('1.2.0')).toThrow(/CHANGELOG.md has no section/);
    expect(() => run('1.2')).toThrow(/not of the form X.Y.Z/);
    git('tag', 'v1.3.0');
    write('CHANGELOG.md', `${CHANGELOG}\n## [1.2.0]\n\n- late\n`);
    commit();
    expect(() => run('1.2.0')).toThrow(/not newer than the latest release v1.3.0/);
    expect(git('tag', '--list')).toBe('v1.3.0');
  });

  it('reads versions and changelog sections', () => {
    expect(parseVersion('v2.10.3')).toEqual({ major: 2, minor: 10, patch: 3 });
    expect(() => parseVersion('01.0.0')).toThrow();
    expect(changelogSection(CHANGELOG, '1.1.0')).toBe('### Added\n\n- run-task');
    expect(changelogSection(CHANGELOG, '9.9.9')).toBeUndefined();
  });
});

describe('what users reference', () => {
  const major = `v${parseVersion(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version).major}`;
  const files = [
    'README.md',
    ...readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.yml'))
      .map((f) => `examples/${f}`),
  ];

  it.each(files)('%s refers to the action, its workflows and its schema by the moving major tag', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const refs = [
      ...text.matchAll(/carecompanion\/deploy-action(?:\/[\w./-]+)?@([\w.-]+)/g),
      ...text.matchAll(/carecompanion\/deploy-action\/([\w.-]+)\/schema\//g),
    ].map((m) => m[1]);
    if (file.startsWith('examples/')) expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref).toBe(major);
  });

  it('CHANGELOG.md has a section for the version in package.json', () => {
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    expect(changelogSection(readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8'), version)).toBeDefined();
  });
});
