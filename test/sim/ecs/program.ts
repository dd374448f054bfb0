/**
 * What a container's command does, for the commands a one-off task typically runs. The image
 * decides what a container does by default (images.ts); a command of the form
 * `sh -c "<script>"` (or `/bin/sh -c`, `bash -c`) is run here as a tiny shell: `echo` writes a
 * line to the container's output, `sleep N` waits N simulated seconds, `exit N` ends it, and
 * `$NAME` / `${NAME}` expand from the container's environment (task definition merged with
 * RunTask overrides). Any other word is "not found", exit 127, as `sh` would say. Statements are
 * separated by `;`, `&&` or new lines; after `&&` a failed statement stops the script. Any
 * other command leaves the image's behaviour as it is.
 */

export interface ProgramLine {
  /** Simulated ms after the container started. */
  afterMs: number;
  message: string;
}

export interface Program {
  lines: ProgramLine[];
  exitCode: number;
  /** Simulated ms after start when the process exits. */
  exitAfterMs: number;
}

/** Each statement takes this long (simulated): a script is never instantaneous. */
const STATEMENT_MS = 200;
const SHELLS = new Set(['sh', '/bin/sh', 'bash', '/bin/bash', '/usr/bin/env sh']);

export function scriptOf(command: string[] | undefined): string | undefined {
  if (!command || command.length < 3) return undefined;
  const [shell, flag, ...rest] = command;
  if (!SHELLS.has(shell!) || flag !== '-c') return undefined;
  return rest.join(' ');
}

function expand(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (_m, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? '',
  );
}

function unquote(text: string): string {
  const t = text.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

export function runScript(script: string, env: Record<string, string>): Program {
  const lines: ProgramLine[] = [];
  let at = 0;
  let status = 0;
  // Split into statements, remembering whether each was joined by `&&` to the one before.
  const parts = script.split(/(\n|;|&&)/);
  let guarded = false;
  for (const raw of parts) {
    if (raw === '&&') {
      guarded = true;
      continue;
    }
    if (raw === ';' || raw === '\n') {
      guarded = false;
      continue;
    }
    const statement = raw.trim();
    if (!statement) continue;
    if (guarded && status !== 0) continue;
    guarded = false;
    at += STATEMENT_MS;
    const [word, ...args] = statement.split(/\s+/);
    const rest = statement.slice(word!.length).trim();
    switch (word) {
      case 'echo':
        lines.push({ afterMs: at, message: expand(unquote(rest), env) });
        status = 0;
        break;
      case 'sleep':
        at += Math.max(0, Number(args[0] ?? 0) || 0) * 1000;
        status = 0;
        break;
      case 'true':
        status = 0;
        break;
      case 'false':
        status = 1;
        break;
      case 'exit':
        return { lines, exitCode: Number(args[0] ?? status) || 0, exitAfterMs: at };
      default:
        lines.push({ afterMs: at, message: `sh: 1: ${word}: not found` });
        status = 127;
    }
  }
  return { lines, exitCode: status, exitAfterMs: at + STATEMENT_MS };
}
