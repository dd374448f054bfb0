/**
 * The layout of src/ stays readable: no two folders import each other, directly or through
 * others. The graph is read from the sources themselves (every relative `import`/`export …
 * from`, type-only ones included, since they couple the folders just as much).
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** A folder of src/ (`strategies/rolling`), or the file itself for the entry files at the top. */
function nodeOf(file: string): string {
  const rel = path.relative(SRC, file).replaceAll(path.sep, '/');
  const dir = path.posix.dirname(rel);
  return dir === '.' ? rel : dir;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Folder → folders it imports from, with one example import each for the failure message. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = nodeOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
      const to = nodeOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${path.relative(SRC, file)} imports ${spec}`);
    }
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the chain of imports that closes it. */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...stack.slice(stack.indexOf(next)), next];
        found.push(loop.slice(1).map((to, i) => graph.get(loop[i]!)!.get(to)!));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('src/ layout', () => {
  it('has no import cycle between folders', () => {
    expect(cycles(folderGraph())).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself can fail)', () => {
    const graph = new Map([
      ['a', new Map([['b', 'a/x.ts imports ../b/y.js']])],
      ['b', new Map([['a', 'b/y.ts imports ../a/x.js']])],
    ]);
    expect(cycles(graph)).toEqual([['a/x.ts imports ../b/y.js', 'b/y.ts imports ../a/x.js']]);
  });

  it('reads the environment and the run context only in settings/ and the entry files', () => {
    // The smoke command hands the runner's environment to the user's shell command as it is
    // (plus TEST_URL); it reads nothing from it.
    const allowed = /^(settings\/|main\.ts$|cleanup\.ts$|smoke\/smoke-command\.ts$)/;
    const readers = sourceFiles(SRC)
      .map((f) => path.relative(SRC, f).replaceAll(path.sep, '/'))
      .filter((rel) => !allowed.test(rel))
      .filter((rel) => /process\.env|github\.context/.test(readFileSync(path.join(SRC, rel), 'utf8')));
    expect(readers).toEqual([]);
  });

  it('needs no non-null assertion on the settings of a command', () => {
    const asserted = sourceFiles(SRC).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\b(?:blueGreen|preview|reason|pullRequest)!/g)].map(
        (m) => `${path.relative(SRC, f)}: ${m[0]}`,
      ),
    );
    expect(asserted).toEqual([]);
  });

  it('annotates every failure once: only main.ts fails the step, nothing logs an error beside it', () => {
    const offenders = sourceFiles(SRC)
      .map((f) => ({ rel: path.relative(SRC, f).replaceAll(path.sep, '/'), text: readFileSync(f, 'utf8') }))
      .flatMap(({ rel, text }) => [
        ...(rel !== 'main.ts' && /\bsetFailed\(/.test(text) ? [`${rel}: setFailed`] : []),
        ...(/\bcore\.error\(/.test(text) ? [`${rel}: core.error`] : []),
      ]);
    expect(offenders).toEqual([]);
  });

  it('keeps functions short: none over 80 lines but the ones still waiting to be split', () => {
    // Each of these may shrink, never grow; a new long function fails here.
    const WAITING: Record<string, number> = {
      'settings/read-settings.ts readSettings': 239,
      'strategies/rolling/deploy.ts deployRolling': 167,
      'strategies/ecs-native/preflight.ts readNativeSetup': 152,
      'preview/up.ts bringUp': 128,
      'strategies/ecs-native/deploy.ts drive': 126,
      'strategies/ecs-native/deploy.ts releaseNative': 122,
      'strategies/blue-green/topology.ts readTopology': 120,
      'strategies/blue-green/rollback.ts rollbackBlueGreen': 107,
      'aws/watch.ts watchDeployments': 102,
      'commands/preview-up.ts previewUpCommand': 94,
      'report/native-summary.ts nativeSummary': 94,
      'release/one-off-task.ts runOneOffTask': 88,
      'commands/preview-sweep.ts previewSweepCommand': 85,
      'preview/service.ts ensurePreviewService': 85,
      'report/blue-green-summary.ts blueGreenModel': 84,
      'history/ecs-records.ts recordedRevisions': 82,
      'release/steps.ts undoStepFully': 82,
    };
    const tooLong: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const rel = path.relative(SRC, file).replaceAll(path.sep, '/');
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - first + 1;
          const name = `${rel} ${(node as ts.FunctionDeclaration).name?.getText() ?? `(line ${first + 1})`}`;
          if (lines > (WAITING[name] ?? 80)) tooLong.push(`${name}: ${lines} lines`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(tooLong).toEqual([]);
  });

  it('reads the folders the entry files use', () => {
    const graph = folderGraph();
    expect([...(graph.get('main.ts')?.keys() ?? [])]).toEqual(
      expect.arrayContaining(['commands', 'settings']),
    );
  });
});
