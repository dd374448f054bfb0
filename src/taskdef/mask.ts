/**
 * Masks the values of a definition that must never be printed: environment values whose name
 * looks secret or whose text holds a credential, wherever they came from (an input, the config
 * file, an env file, the live definition). Called before anything about the definition is
 * logged, so the runner replaces them with `***` in every later line.
 */
import * as core from '@actions/core';
import { credentialsIn } from '../settings/mask.js';
import { looksSecret } from '../settings/secret-names.js';
import type { TaskDefinitionInput } from './normalize.js';

export function secretValuesOf(def: TaskDefinitionInput | undefined): string[] {
  const found = new Set<string>();
  for (const c of def?.containerDefinitions ?? []) {
    for (const e of c.environment ?? []) {
      const value = e.value ?? '';
      if (value.length < 4) continue;
      if (looksSecret(e.name ?? '')) found.add(value);
      for (const s of credentialsIn(`${e.name ?? ''}=${value}`)) found.add(s);
    }
  }
  return [...found];
}

export function maskSecretValues(...defs: (TaskDefinitionInput | undefined)[]): void {
  for (const value of new Set(defs.flatMap(secretValuesOf))) core.setSecret(value);
}
