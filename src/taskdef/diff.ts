/**
 * The task-definition diff shown in the log and the job summary. Environment values are
 * replaced before diffing by a marker that says only whether the value changed: a password put
 * in `environment` by mistake must not be printed. Values can be shown by asking for them
 * (`showValues`), except for names that look like secrets, which stay hidden regardless.
 * The summary builder reuses this module: no other code renders a definition for people.
 */
import { createTwoFilesPatch } from 'diff';
import { credentialsIn } from '../settings/mask.js';
import { looksSecret } from '../settings/secret-names.js';
import { canonicalJson, type TaskDefinitionInput } from './normalize.js';

export const HIDDEN = '(value hidden)';
export const HIDDEN_CHANGED = '(value hidden, changed)';

type Env = { name?: string; value?: string }[] | undefined;

function envOf(def: TaskDefinitionInput | undefined, container: string | undefined): Map<string, string> {
  const c = def?.containerDefinitions?.find((x) => x.name === container);
  return new Map(((c?.environment as Env) ?? []).map((e) => [e.name ?? '', e.value ?? '']));
}

function redact(
  def: TaskDefinitionInput,
  other: TaskDefinitionInput | undefined,
  side: 'before' | 'after',
  showValues: boolean,
): TaskDefinitionInput {
  const out = structuredClone(def);
  for (const c of out.containerDefinitions ?? []) {
    const theirs = envOf(other, c.name);
    c.environment = ((c.environment as Env) ?? []).map((e) => {
      const name = e.name ?? '';
      // Asked-for values still hide secret-looking names and values that hold a credential.
      if (showValues && !looksSecret(name) && !credentialsIn(`${name}=${e.value ?? ''}`).length) return e;
      const changed = side === 'after' && theirs.has(name) && theirs.get(name) !== (e.value ?? '');
      return { name, value: changed ? HIDDEN_CHANGED : HIDDEN };
    });
  }
  return out;
}

/**
 * Unified diff of two definitions (empty when equal), environment values hidden: an unchanged
 * variable shows no line, a changed one shows `(value hidden, changed)`, an added or removed one
 * its name.
 */
export function diffDefinitions(
  beforeLabel: string,
  before: TaskDefinitionInput | undefined,
  after: TaskDefinitionInput,
  options: { showValues?: boolean } = {},
): string {
  if (before && canonicalJson(before) === canonicalJson(after)) return '';
  const showValues = options.showValues ?? false;
  const a = before ? `${canonicalJson(redact(before, after, 'before', showValues))}\n` : '';
  const b = `${canonicalJson(redact(after, before, 'after', showValues))}\n`;
  return createTwoFilesPatch(beforeLabel, 'rendered', a, b, undefined, undefined, { context: 3 });
}
