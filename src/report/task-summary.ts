/**
 * The job summary of a one-off task, laid out by the one summary builder like every other
 * command: the outcome first (and why), the task's row, how each container ended, the stopped
 * reason, and the tail of each container's log.
 */

import { familyRevision, resourceId } from '../aws/arn.js';
import type { OneOffTaskResult } from '../release/one-off-task.js';
import { codeBlock, escapeCell, table } from './markdown.js';
import { type Summary, summary } from './summary.js';

export function taskSummary(
  title: string,
  r: OneOffTaskResult,
  taskDefinitionArn: string,
  service: string | undefined,
): Summary {
  const id = r.taskArn ? resourceId(r.taskArn) : undefined;
  const revision = familyRevision(taskDefinitionArn);
  const task = id ? `task \`${id}\`` : 'the task';
  const headline =
    r.status === 'succeeded'
      ? `**Succeeded**: ${task} of **${revision}** exited 0.`
      : r.status === 'cancelled'
        ? `**Cancelled**: ${task} of **${revision}** was stopped.`
        : `**Failed**: ${task} of **${revision}** did not succeed.`;
  const s = summary(title, r.status, headline);
  if (r.status !== 'succeeded')
    s.why = r.reason ?? (r.status === 'cancelled' ? 'the job was cancelled' : 'the task failed');
  s.services.push({
    service: service || revision.split(':')[0] || revision,
    outcome: r.status,
    outcomeText: r.status === 'succeeded' ? 'exited 0' : r.status === 'cancelled' ? 'stopped' : 'failed',
    revision,
    deployment: id,
  });
  if (r.containers.length) {
    s.sections.push({
      heading: 'Containers',
      body: table(
        ['Container', 'Essential', 'Exit code', 'Reason'],
        r.containers.map((c) => [
          c.name,
          c.essential ? 'yes' : 'no',
          c.exitCode === undefined ? '—' : String(c.exitCode),
          c.reason || '—',
        ]),
      ),
    });
  }
  if (r.stoppedReason) {
    s.sections.push({
      heading: 'Stopped reason',
      body: `${escapeCell(r.stoppedReason)} (\`${r.stopCode ?? '?'}\`)`,
    });
  }
  if (r.logs.length) {
    s.sections.push({
      heading: 'Log tail',
      body: r.logs
        .map((l) => {
          const body =
            'missing' in l.tail
              ? l.tail.missing
              : l.tail.lines.length
                ? codeBlock('text', l.tail.lines.join('\n'))
                : '(no output)';
          // A failure's log is what the reader came for: open it.
          return `<details${r.status === 'succeeded' ? '' : ' open'}><summary>${l.container} (<code>${l.stream ?? 'no stream'}</code>)</summary>\n\n${body}\n\n</details>`;
        })
        .join('\n\n'),
    });
  }
  return s;
}
