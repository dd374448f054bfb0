/**
 * `npm run bundle`: builds `dist/` from `src/index.ts`, the one entry of the main and the post
 * step (action.yml runs it for both), as ES modules for Node 24.
 *
 * esbuild rather than ncc: each command and each AWS client is a dynamic `import()`, and only
 * esbuild's code splitting puts the code two of them share (the SDK's core, credentials, HTTP)
 * into a chunk of its own. ncc copies it into every chunk, which made `dist/` larger than the
 * single bundle it replaced; with shared chunks `command: register` reads a fraction of `dist/`.
 *
 * Also writes `dist/licenses.txt`: the license of every package whose code is in the bundle.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { ROOT } from '../test/harness/run-action.js';

const dist = path.join(ROOT, 'dist');
rmSync(dist, { recursive: true, force: true });

/**
 * `@actions/core` imports its OIDC client at the top, and with it `@actions/http-client` and
 * undici (over 400 KB minified) that every command parsed before its first AWS call, though only
 * `getIDToken` uses them and the action never calls it. Loading the OIDC client inside
 * `getIDToken` puts them in a chunk of their own; the rest of the module is unchanged.
 */
const lazyOidcClient: Plugin = {
  name: 'lazy-oidc-client',
  setup(b) {
    b.onLoad({ filter: /[\\/]@actions[\\/]core[\\/]lib[\\/]core\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const staticImport = "import { OidcClient } from './oidc-utils.js';";
      const call = 'return yield OidcClient.getIDToken(aud);';
      // A new @actions/core that no longer matches fails the bundle instead of silently keeping undici.
      if (!source.includes(staticImport) || !source.includes(call)) {
        throw new Error(`${args.path}: the OIDC import or call changed; update lazyOidcClient`);
      }
      return {
        contents: source
          .replace(staticImport, '')
          .replace(call, "return yield (yield import('./oidc-utils.js')).OidcClient.getIDToken(aud);"),
        loader: 'js',
      };
    });
  },
};

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/index.ts'],
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [lazyOidcClient],
  // The SDK and @actions/* dependencies include CommonJS that calls require() for Node's own
  // modules; an ES module has no `require`, so each chunk makes one.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
});
writeFileSync(path.join(dist, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);

/** The package directory (…/node_modules/name or …/node_modules/@scope/name) of a bundled file. */
function packageDir(file: string): string | undefined {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file);
  return m?.[1];
}

const packages = new Set<string>();
for (const input of Object.keys(result.metafile.inputs)) {
  const dir = packageDir(input);
  if (dir) packages.add(dir);
}
const entries = [...packages]
  .map((dir) => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as {
      name: string;
      license?: string;
    };
    const file = readdirSync(path.join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text =
      file && existsSync(path.join(ROOT, dir, file)) ? readFileSync(path.join(ROOT, dir, file), 'utf8') : '';
    return { name: pkg.name, license: pkg.license ?? 'UNKNOWN', text: text.trim() };
  })
  .sort((a, b) => a.name.localeCompare(b.name));
// One copy per package name (a package bundled from two places is listed once).
const seen = new Set<string>();
const licenses = entries
  .filter((e) => !seen.has(e.name) && seen.add(e.name))
  .map((e) => [e.name, e.license, e.text].filter(Boolean).join('\n'))
  .join('\n\n');
writeFileSync(path.join(dist, 'licenses.txt'), `${licenses}\n`);

const files = readdirSync(dist, { recursive: true }).length;
process.stderr.write(`dist/: ${files} files from ${Object.keys(result.metafile.inputs).length} modules\n`);
