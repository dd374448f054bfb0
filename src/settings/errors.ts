/** A settings problem: raised before any AWS call, with the input (or file and line) named. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}
