/**
 * The only module that reads action inputs: every known input, once, as raw strings. Anything
 * in them that looks like a credential is masked first, so no later log line, annotation or
 * summary can print it.
 */
import * as core from '@actions/core';
import { credentialsIn } from './mask.js';
import { ALL_INPUTS } from './read-settings.js';

/** Inputs that are credentials as a whole. */
const SECRET_INPUTS = new Set(['github-token']);

export function readInputs(): Record<string, string> {
  const inputs = Object.fromEntries(ALL_INPUTS.map((name) => [name, core.getInput(name)]));
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(inputs)) {
    if (!value) continue;
    if (SECRET_INPUTS.has(name)) secrets.add(value.trim());
    for (const secret of credentialsIn(value)) secrets.add(secret);
  }
  for (const secret of secrets) core.setSecret(secret);
  return inputs;
}
