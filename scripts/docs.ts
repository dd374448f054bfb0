/**
 * Generates what must never drift from the code: the config file's JSON Schema (from the same
 * zod schema that validates it) and the README's inputs/outputs tables (from action.yml).
 * `npm run docs` writes them; `npm run docs -- --check` fails when they are stale (CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { configFileSchema, FIELDS, type FieldName } from '../src/settings/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const stale: string[] = [];

function update(file: string, content: string): void {
  const full = path.join(ROOT, file);
  let current = '';
  try {
    current = readFileSync(full, 'utf8');
  } catch {}
  if (current === content) return;
  if (check) stale.push(file);
  else writeFileSync(full, content);
}

// ---- JSON Schema of the config file ----
const schema = z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<
  string,
  unknown
>;
const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
for (const [key, field] of Object.entries(FIELDS)) {
  if (props[key]) props[key].description = `Expected: ${field.expected}`;
}
const envProps = ((props.environments?.additionalProperties as Record<string, unknown>)?.properties ??
  {}) as Record<string, Record<string, unknown>>;
for (const [key, field] of Object.entries(FIELDS)) {
  if (envProps[key]) envProps[key].description = `Expected: ${field.expected}`;
}
const published = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://github.com/carecompanion/deploy-action/blob/main/schema/config.schema.json',
  title: 'deploy-action config file',
  ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
};
update('schema/config.schema.json', `${JSON.stringify(published, null, 2)}\n`);

// ---- README tables from action.yml ----
interface ActionYml {
  inputs: Record<string, { description: string }>;
  outputs: Record<string, { description: string }>;
}
const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').trim();

const inputRows = Object.entries(action.inputs).map(([name, input]) => {
  const [text, dflt] = input.description.split(/\s*Default: /);
  const inFile = name in FIELDS ? 'yes' : 'no';
  return `| \`${name}\` | ${cell(text ?? '')} | ${cell((dflt ?? '').replace(/\.$/, '')) || '—'} | ${inFile} |`;
});
const inputsTable = [
  '| Input | Description | Default | In config file |',
  '| --- | --- | --- | --- |',
  ...inputRows,
].join('\n');
const outputsTable = [
  '| Output | Description |',
  '| --- | --- |',
  ...Object.entries(action.outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`),
].join('\n');

function replaceBetween(text: string, marker: string, body: string): string {
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md lacks the ${start} … ${end} markers`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}
let readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
readme = replaceBetween(readme, 'inputs', inputsTable);
readme = replaceBetween(readme, 'outputs', outputsTable);
readme = replaceBetween(
  readme,
  'iam-policy',
  `\`\`\`json\n${readFileSync(path.join(ROOT, 'iam', 'policy.json'), 'utf8').trim()}\n\`\`\``,
);
// Reusable workflows: their inputs and outputs, one table each.
interface CallableWorkflow {
  on: {
    workflow_call: {
      inputs?: Record<string, { description?: string; type: string; required?: boolean; default?: unknown }>;
      outputs?: Record<string, { description?: string }>;
    };
  };
}
for (const name of ['release', 'rollback', 'preview']) {
  const wf = parse(
    readFileSync(path.join(ROOT, '.github', 'workflows', `${name}.yml`), 'utf8'),
  ) as CallableWorkflow;
  const call = wf.on.workflow_call;
  const rows = Object.entries(call.inputs ?? {}).map(
    ([input, i]) =>
      `| \`${input}\` | ${i.type} | ${i.required ? 'yes' : 'no'} | ${i.default !== undefined ? `\`${String(i.default)}\`` : '—'} | ${cell(i.description ?? '')} |`,
  );
  const outs = Object.entries(call.outputs ?? {}).map(
    ([o, d]) => `| \`${o}\` | ${cell(d.description ?? '')} |`,
  );
  readme = replaceBetween(
    readme,
    `workflow-${name}`,
    [
      '| Input | Type | Required | Default | Description |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
      '',
      '| Output | Description |',
      '| --- | --- |',
      ...outs,
    ].join('\n'),
  );
}
update('README.md', readme);

// Every settings key must be an input of action.yml, so the file and the inputs stay one vocabulary.
const missing = (Object.keys(FIELDS) as FieldName[]).filter((k) => !(k in action.inputs));
if (missing.length) {
  console.error(`action.yml lacks inputs for settings: ${missing.join(', ')}`);
  process.exit(1);
}

if (stale.length) {
  console.error(`Stale generated files: ${stale.join(', ')}. Run \`npm run docs\` and commit the result.`);
  process.exit(1);
}
