/**
 * Loads the optional YAML config file and keeps its source positions, so that a validation
 * error can say "deploy.yml line 12" instead of only the key.
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import { SettingsError } from './errors.js';
import { readInputFile } from './input-file.js';

export interface ConfigFile {
  path: string;
  data: unknown;
  /** 1-based line of the value at `path` (or of its nearest existing parent). */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export function loadConfigFile(path: string, display = path): ConfigFile {
  const text = readInputFile(
    path,
    (reason) =>
      `Input "config": cannot read the config file ${display} (${reason}). ` +
      'Expected: a path, relative to the workspace, to a YAML file such as `.github/deploy.yml`.',
  );
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new SettingsError(
      `Config file ${display}${line ? ` line ${line}` : ''}: not valid YAML: ${first.message.split('\n')[0]}`,
    );
  }
  const data: unknown = doc.toJS();
  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
    throw new SettingsError(
      `Config file ${display} line 1: expected a map of settings (key: value), got a ${Array.isArray(data) ? 'list' : typeof data}.`,
    );
  }
  return {
    path: display,
    data: data ?? {},
    lineOf(keyPath) {
      for (let n = keyPath.length; n >= 0; n--) {
        const node = doc.getIn(keyPath.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}
