/** Names whose values are secrets whatever a setting says (`DB_PASSWORD`, `API_KEY`, `STRIPE_TOKEN`, …). */
const SECRET_NAME =
  /pass(word|wd|phrase)?|secret|token|(^|_)key($|_)|apikey|api_key|private|credential|auth|session|cookie|signature|salt|dsn|conn(ection)?_?str/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}
