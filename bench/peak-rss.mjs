// Loaded into the bundled action with `node --import` by memory.bench.ts: on exit, writes the
// process's peak resident set size (KiB, from getrusage) to the file named by BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
