/**
 * Finds what looks like a credential in input text, so it can be masked (`core.setSecret`)
 * before anything is printed: the runner then replaces it with `***` in every log line and
 * annotation, whatever code prints it later.
 */
import { looksSecret } from './secret-names.js';

const CREDENTIAL_PATTERNS: RegExp[] = [
  /\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, // JWTs
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack tokens
  /\bsk_(?:live|test)_[A-Za-z0-9]{16,}\b/g, // Stripe keys
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** `user:password@` in a URL: the password. */
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:([^\s/@]+)@/gi;
/** `Authorization: Bearer x`, `X-Api-Key: x` headers (smoke tests): the value. */
const SECRET_HEADER =
  /\b(?:authorization|[\w-]*(?:token|key|secret|cookie)[\w-]*)\s*:\s*(?:bearer\s+|basic\s+)?([^\s,;]+)/gi;

/** Every substring of `text` that should never be printed. */
export function credentialsIn(text: string): string[] {
  const found = new Set<string>();
  for (const re of CREDENTIAL_PATTERNS) for (const m of text.matchAll(re)) found.add(m[0]);
  for (const m of text.matchAll(URL_PASSWORD)) found.add(m[1]!);
  for (const m of text.matchAll(SECRET_HEADER)) if (m[1]!.length >= 6) found.add(m[1]!);
  for (const m of text.matchAll(/\b(?:bearer|basic)\s+([A-Za-z0-9._~+/=-]{6,})/gi)) found.add(m[1]!);
  // `NAME=value` lines whose name looks secret (environment variables, secrets, headers).
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq).trim().split('/').pop() ?? '';
    const value = line.slice(eq + 1).trim();
    if (value.length >= 4 && looksSecret(name)) found.add(value);
  }
  return [...found].filter((s) => s.length >= 4);
}
