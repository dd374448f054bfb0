/** The only module that reads action inputs: every known input, once, as raw strings. */
import * as core from '@actions/core';
import { ALL_INPUTS } from './read-settings.js';

export function readInputs(): Record<string, string> {
  return Object.fromEntries(ALL_INPUTS.map((name) => [name, core.getInput(name)]));
}
