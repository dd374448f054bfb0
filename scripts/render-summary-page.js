// Runs inside the page that render-summary.ts opens (a browser script, not a Node module):
// draws the Mermaid blocks as GitHub does and reports what it drew, so the caller can refuse to
// write a picture of a broken summary.
async (openDetails) => {
  const mermaid = window.mermaid;
  mermaid.initialize({ startOnLoad: false, theme: 'default', securityLevel: 'strict' });
  const blocks = document.querySelectorAll('pre.mermaid').length;
  await mermaid.run({ querySelector: 'pre.mermaid' });
  if (openDetails) for (const d of document.querySelectorAll('details')) d.open = true;
  const svgs = [...document.querySelectorAll('pre.mermaid svg')];
  return {
    blocks,
    svgs: svgs.length,
    bars: svgs.map((s) => s.querySelectorAll('rect.task, rect[class*="task"]').length),
    syntaxErrors: document.querySelectorAll('pre.mermaid .error-icon').length,
    text: document.body.textContent.length,
    ticks: svgs.flatMap((s) => [...s.querySelectorAll('.tick text')].map((t) => t.textContent)),
  };
};
