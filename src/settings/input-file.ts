/** Reading a file an input names, so every unreadable file fails the same way. */
import { readFileSync } from 'node:fs';
import { SettingsError } from './errors.js';

/** The file's text; unreadable, a SettingsError built by `failure` from the reason (e.g. `ENOENT`). */
export function readInputFile(path: string, failure: (reason: string) => string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SettingsError(failure((err as NodeJS.ErrnoException).code ?? String(err)));
  }
}
