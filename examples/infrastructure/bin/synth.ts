/**
 * The offline check CI runs: synthesize the app with no AWS credentials and no context lookups
 * (the stack is environment-agnostic and takes its hosted zone by id), and fail on any error
 * annotation, the way `cdk synth` would.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from './app.js';

const outdir = mkdtempSync(path.join(os.tmpdir(), 'cdk-out-'));
const { app } = buildApp(new App({ outdir }));
const assembly = app.synth();
const errors = assembly.stacks.flatMap((s) =>
  s.messages.filter((m) => m.level === 'error').map((m) => `${s.stackName} ${m.id}: ${m.entry.data}`),
);
if (assembly.manifest.missing?.length)
  errors.push(`context lookups needed: ${JSON.stringify(assembly.manifest.missing)}`);
if (errors.length) {
  console.error(errors.join('\n'));
  process.exit(1);
}
for (const s of assembly.stacks) {
  console.log(
    `${s.stackName}: ${Object.keys(s.template.Resources ?? {}).length} resources -> ${s.templateFullPath}`,
  );
}
