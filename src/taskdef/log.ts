/** How a prepared task definition reads in the log and in outputs, the same for every command. */
import * as core from '@actions/core';
import type { PreparedTaskDefinition } from './prepare.js';

/** Container name → the digest its image was pinned to (containers without a digest left out). */
export function imageDigests(p: PreparedTaskDefinition): Record<string, string> {
  return Object.fromEntries(p.images.flatMap((i) => (i.digest ? [[i.container, i.digest] as const] : [])));
}

export function logPrepared(p: PreparedTaskDefinition, dryRun: boolean): void {
  // Indented and named as containers: a container is often called like its service.
  for (const i of p.images) core.info(`  container ${i.container}: ${i.image}`);
  if (dryRun) {
    core.info(
      p.registered
        ? `Dry run: would register a new revision of ${p.family}.`
        : `Dry run: ${p.arn} is identical; it would be reused.`,
    );
    core.info(
      p.diff ? `Changes against ${p.baselineLabel}:\n${p.diff}` : `No changes against ${p.baselineLabel}.`,
    );
  } else if (p.registered) {
    core.info(`Registered ${p.arn}`);
  } else {
    core.info(`Reusing ${p.arn}: the rendered definition is identical to it.`);
  }
}
