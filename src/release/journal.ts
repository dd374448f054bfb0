/**
 * The journal of a release (a saga): each mutating step is saved in action state *before* it
 * runs, with what undoes it. Failure, an alarm, cancellation and the post step all undo by
 * walking the same journal backwards, so there is one undo path, tested by every failure.
 *
 * Steps run one at a time through `perform`; once an undo started, no new step may begin, and
 * the undo waits for a step already in flight (a traffic shift sent after the undo's restore
 * would otherwise win).
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { CancelledError } from './cancel.js';
import { JOURNAL_STATE, loadJournalState } from './journal-state.js';
import { describeStep, type Step, undoStep } from './steps.js';

export interface Entry {
  step: Step;
  undone?: boolean;
}

export interface JournalState {
  region: string;
  entries: Entry[];
  /** Set once the release is final: its changes are the new state of things, not undone. */
  committed?: boolean;
  /** Work left for a human after a committed release (e.g. the old side still running). */
  notes?: string[];
}

export interface UndoReport {
  done: string[];
  failed: string[];
}

export class Journal {
  private readonly state: JournalState;
  private queue: Promise<unknown> = Promise.resolve();
  private undoing?: Promise<UndoReport>;
  private check?: () => Promise<void>;

  constructor(
    private readonly clients: AwsClients,
    state?: JournalState,
    private readonly persist: (state: JournalState) => void = (s) =>
      core.saveState(JOURNAL_STATE, JSON.stringify(s)),
  ) {
    this.state = state ?? { region: clients.region, entries: [] };
  }

  static load(text: string): JournalState | undefined {
    return loadJournalState(text);
  }

  get entries(): readonly Entry[] {
    return this.state.entries;
  }

  /**
   * From now on, run `check` before every recorded change and every undo: the release lock must
   * still be this run's (it throws when it is not, and nothing more is changed).
   */
  guard(check: () => Promise<void>): void {
    this.check = check;
  }

  /** Record `step`, then run `fn`. Refused once an undo started. */
  perform<T>(step: Step, fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.undoing) throw new CancelledError('undo in progress');
      if (this.check && step.kind !== 'lock') await this.check();
      this.state.entries.push({ step });
      this.persist(this.state);
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Add what a step learned once it ran (a deployment id) to its record, and save it. */
  amend<S extends Step>(step: S, patch: Partial<S>): void {
    Object.assign(step, patch);
    this.persist(this.state);
  }

  /** Run `fn` in turn with recorded steps, without recording (a later move of a recorded route). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.undoing) throw new CancelledError('undo in progress');
      if (this.check) await this.check();
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The release is final: nothing recorded so far is undone any more, except the lock. */
  commit(notes: string[] = []): void {
    this.state.committed = true;
    this.state.entries = this.state.entries.filter((e) => e.step.kind === 'lock' && !e.undone);
    this.state.notes = notes;
    this.persist(this.state);
  }

  /**
   * Walk the journal backwards once; concurrent callers (the failure path and a signal
   * handler) share the same walk. Production traffic is the last thing changed, so it is the
   * first restored.
   */
  undo(log: (line: string) => void = core.info): Promise<UndoReport> {
    if (!this.undoing) {
      this.undoing = this.queue.then(() =>
        undoEntries(this.clients, this.state, log, () => this.persist(this.state), this.check),
      );
    }
    return this.undoing;
  }
}

/** Shared by the main step and the post step. Each entry is marked undone as soon as it is. */
export async function undoEntries(
  clients: AwsClients,
  state: JournalState,
  log: (line: string) => void,
  persist: () => void,
  check?: () => Promise<void>,
): Promise<UndoReport> {
  const report: UndoReport = { done: [], failed: [] };
  for (const entry of [...state.entries].reverse()) {
    if (entry.undone) continue;
    try {
      // An undo is a change too: only while the lock is still ours (the lock step checks itself).
      // Only a lock that another run now holds stops it; a check that could not be made (a
      // throttled read) must not keep production traffic from being restored.
      if (check && entry.step.kind !== 'lock') {
        await check().catch((err: Error) => {
          if (err.name === 'LockLostError') throw err;
          log(`Could not confirm the release lock (${err.message}); undoing anyway.`);
        });
      }
      const line = await undoStep(clients, entry.step);
      entry.undone = true;
      persist();
      log(line);
      report.done.push(line);
    } catch (err) {
      const line = `Could not undo ${describeStep(entry.step)}: ${(err as Error).message}`;
      log(line);
      report.failed.push(line);
    }
  }
  return report;
}
