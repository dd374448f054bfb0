/** The job summary of a one-off task: the outcome, how each container ended, the tail of its log. */
import type { OneOffTaskResult } from '../release/one-off-task.js';
import { codeBlock, escapeCell, table } from './markdown.js';

export function taskSummary(title: string, r: OneOffTaskResult, taskDefinitionArn: string): string {
  const id = r.taskArn ? r.taskArn.slice(r.taskArn.lastIndexOf('/') + 1) : '—';
  const outcome =
    r.status === 'succeeded'
      ? `✅ **Succeeded**: task \`${id}\` of \`${taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf('/') + 1)}\` exited 0.`
      : r.status === 'cancelled'
        ? `⏹️ **Cancelled**: task \`${id}\` was stopped. ${r.reason ?? ''}`
        : `❌ **Failed**: ${r.reason ?? 'the task failed'}.`;
  const parts = [`## ${title}`, outcome];
  if (r.containers.length) {
    parts.push(
      table(
        ['Container', 'Essential', 'Exit code', 'Reason'],
        r.containers.map((c) => [
          c.name,
          c.essential ? 'yes' : 'no',
          c.exitCode === undefined ? '—' : String(c.exitCode),
          c.reason ?? '',
        ]),
      ),
    );
  }
  if (r.stoppedReason)
    parts.push(`Stopped reason: ${escapeCell(r.stoppedReason)} (\`${r.stopCode ?? '?'}\`)`);
  for (const l of r.logs) {
    const body =
      'missing' in l.tail
        ? l.tail.missing
        : l.tail.lines.length
          ? codeBlock('text', l.tail.lines.join('\n'))
          : '(no output)';
    // A failure's log is what the reader came for: open it.
    parts.push(
      `<details${r.status === 'succeeded' ? '' : ' open'}><summary>Log tail of ${l.container} (<code>${l.stream ?? ''}</code>)</summary>\n\n${body}\n\n</details>`,
    );
  }
  return parts.join('\n\n');
}
