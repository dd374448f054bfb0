// Loaded into the bundled action with `node --import` by startup.bench.ts: records every module
// file the process loads and, on exit, writes their paths (one a line) to BENCH_LOADED_FILE, so
// the bench can say how much of dist/ a command or the post step really reads.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) loaded.add(fileURLToPath(url));
    return nextLoad(url, context);
  },
});
process.on('exit', () => {
  writeFileSync(process.env.BENCH_LOADED_FILE, [...loaded].join('\n'));
});
