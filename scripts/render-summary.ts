/**
 * Renders job-summary Markdown to PNG the way GitHub shows it on a run's page: GitHub-flavoured
 * Markdown (marked) in GitHub's own stylesheet (github-markdown-css), raw `<details>` kept,
 * ```mermaid blocks drawn by Mermaid, in headless Chromium from the distribution's packages.
 * Everything is loaded from node_modules: the page may not reach the network, and a request
 * it tries fails the render.
 *
 *   tsx scripts/render-summary.ts [--open-details] <in.md> <out.png> [<in.md> <out.png> …]
 *
 * It fails, rather than writing a picture of a broken summary, when a Mermaid block does not
 * parse or draws nothing, when a chart's time axis reads differently in another time zone, or
 * when the page is nearly empty. `--open-details` expands every
 * `<details>` (GitHub shows them closed), so a picture can show what they hold.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Marked } from 'marked';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The width of the summary column on a run's page at a common desktop window size. */
const WIDTH = 1012;

const args = process.argv.slice(2);
const openDetails = args.includes('--open-details');
const files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0 || files.length % 2 !== 0) {
  console.error(
    'usage: tsx scripts/render-summary.ts [--open-details] <in.md> <out.png> [<in.md> <out.png> …]',
  );
  process.exit(2);
}

/** What the in-page script (render-summary-page.js) reports after drawing. */
interface Drawn {
  blocks: number;
  svgs: number;
  bars: number[];
  syntaxErrors: number;
  text: number;
  /** The time-axis labels of every chart, in order. */
  ticks: string[];
}
/** Time zones a half or three-quarter hour off UTC, where a wall-clock axis shows other minutes. */
const ZONES = ['Asia/Kolkata', 'America/St_Johns', 'Asia/Kathmandu'];
const PAGE_SCRIPT = readFileSync(new URL('./render-summary-page.js', import.meta.url), 'utf8')
  .replace(/^\/\/.*\n/gm, '')
  .trim()
  .replace(/;$/, '');

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const marked = new Marked({ gfm: true });
marked.use({
  renderer: {
    code({ text, lang }) {
      // GitHub draws ```mermaid blocks instead of showing their source.
      if (lang === 'mermaid') return `<pre class="mermaid">${escapeHtml(text)}</pre>\n`;
      return false;
    },
  },
});

function page(markdown: string): string {
  const css = readFileSync(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8');
  return `<!doctype html>
<html><head><meta charset="utf-8"><style>${css}
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: border-box; width: ${WIDTH}px; padding: 24px 32px; }
.markdown-body pre.mermaid { background: #fff; text-align: center; }
</style></head>
<body><article class="markdown-body">${marked.parse(markdown) as string}</article></body></html>`;
}

const profile = mkdtempSync(path.join(os.tmpdir(), 'render-summary-profile-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: WIDTH, height: 600 },
  deviceScaleFactor: 1,
  offline: true,
});
try {
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    blocked.push(route.request().url());
    return route.abort();
  });
  /** Draws the summary in a new tab whose clock is in `timeZone`; returns the tab and what it drew. */
  const draw = async (markdown: string, timeZone: string) => {
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: timeZone });
    await tab.setContent(page(markdown), { waitUntil: 'load' });
    await tab.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
    const drawn = (await tab.evaluate(`(${PAGE_SCRIPT})(${JSON.stringify(openDetails)})`)) as Drawn;
    return { tab, drawn, errors };
  };
  for (let i = 0; i < files.length; i += 2) {
    const [input, output] = [files[i]!, files[i + 1]!];
    const markdown = readFileSync(input, 'utf8');
    const { tab, drawn, errors } = await draw(markdown, 'UTC');
    const problems = [
      ...errors,
      ...blocked.map((u) => `the page tried to load ${u}`),
      ...(drawn.svgs !== drawn.blocks ? [`${drawn.blocks} Mermaid blocks but ${drawn.svgs} drawn`] : []),
      ...(drawn.syntaxErrors > 0 ? ['Mermaid reported a syntax error'] : []),
      ...drawn.bars.flatMap((n, k) => (n === 0 ? [`Mermaid block ${k + 1} drew no bars`] : [])),
      ...(drawn.text < 200 ? [`only ${drawn.text} characters of text`] : []),
    ];
    // A chart's time axis must read the same to every reader: draw it again in zones whose
    // offsets are not whole hours and compare the tick labels.
    for (const zone of ZONES) {
      const other = await draw(markdown, zone);
      const [here, there] = [drawn.ticks.join(' '), other.drawn.ticks.join(' ')];
      if (here !== there) problems.push(`the time axis reads "${there}" in ${zone} but "${here}" in UTC`);
      await other.tab.close();
    }
    if (problems.length > 0) throw new Error(`${input}: ${problems.join('; ')}`);
    await tab.locator('article').screenshot({ path: output });
    process.stderr.write(
      `${output}: ${drawn.blocks} chart(s), ${drawn.bars.join('+') || 0} bars, axis ${drawn.ticks.join(' ')}\n`,
    );
    await tab.close();
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
