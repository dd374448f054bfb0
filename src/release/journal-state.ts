/**
 * Where the journal lives in action state, and reading it back: all the post step needs to
 * learn that nothing is left to undo, without loading the undo code or any AWS client.
 */
import type { JournalState } from './journal.js';

export const JOURNAL_STATE = 'journal';

export function loadJournalState(text: string): JournalState | undefined {
  if (!text) return undefined;
  return JSON.parse(text) as JournalState;
}
