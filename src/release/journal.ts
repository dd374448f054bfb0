/**
 * The journal of a release (a saga): each change that can be undone is saved in action state
 * *before* it runs, with what undoes it. Failure, an alarm, cancellation and the post step all
 * undo by walking the same journal backwards, so there is one undo path, tested by every
 * failure. A change with nothing to undo (a new task-definition revision, a history entry, the
 * work after a release is final) is still a journal step: it runs through `final`, which only
 * lets it through while no undo is under way.
 *
 * Steps run one at a time through `perform`; once an undo started, no new step may begin, and
 * the undo waits for a step already in flight (a traffic shift sent after the undo's restore
 * would otherwise win). The AWS clients refuse any change made outside these methods.
 */
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { allowMutations } from '../aws/mutation-guard.js';
import { CancelledError } from './cancel.js';
import { JOURNAL_STATE, loadJournalState } from './journal-state.js';
import { describeStep, type Step, type UndoneStep, undoStepFully } from './steps.js';

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

/** Told each undo as it happens, with the step it undid (the restore-latency figure needs it). */
export type UndoLog = (line: string, step?: Step) => void;

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

  /** Record `step` (what undoes the change), then make the change with `fn`. Refused once an undo started. */
  perform<T>(step: Step, fn: () => Promise<T>): Promise<T> {
    return this.inTurn(async () => {
      if (this.check && step.kind !== 'lock') await this.check();
      this.state.entries.push({ step });
      this.persist(this.state);
      return allowMutations(describeStep(step), fn);
    });
  }

  /** Add what a step learned once it ran (a deployment id) to its record, and save it. */
  amend<S extends Step>(step: S, patch: Partial<S>): void {
    Object.assign(step, patch);
    this.persist(this.state);
  }

  /**
   * A change with nothing to undo, named by `what`: it is not saved for the post step and
   * does not wait for other steps, but it is refused while a release is being undone.
   */
  final<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.undoing && !this.state.committed) return Promise.reject(new CancelledError('undo in progress'));
    return allowMutations(what, fn);
  }

  /**
   * Undo the one recorded `step` now (a failed service of a rolling deploy goes back alone
   * while the others stay). Throws when the undo fails; the entry then stays for the post step.
   */
  undoStep(step: Step): Promise<UndoneStep> {
    return this.inTurn(async () => {
      const entry = this.state.entries.find((e) => e.step === step);
      if (!entry || entry.undone) throw new Error(`${describeStep(step)} is not in the journal to undo.`);
      if (this.check && step.kind !== 'lock') await this.check();
      const undone = await allowMutations(`undo ${describeStep(step)}`, () =>
        undoStepFully(this.clients, step),
      );
      entry.undone = true;
      this.persist(this.state);
      return undone;
    });
  }

  /** Nothing is left to undo for `step`: ECS itself put the service back. */
  settle(step: Step): void {
    const entry = this.state.entries.find((e) => e.step === step);
    if (entry) entry.undone = true;
    this.persist(this.state);
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
  undo(log: UndoLog = core.info): Promise<UndoReport> {
    if (!this.undoing) {
      this.undoing = this.queue.then(() =>
        undoEntries(this.clients, this.state, log, () => this.persist(this.state), this.check),
      );
    }
    return this.undoing;
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.undoing) throw new CancelledError('undo in progress');
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * Shared by the main step and the post step. Each entry is marked undone as soon as it is; an
 * undo identical to one this walk already did (the later traffic steps of a canary all go back
 * to the same weights) is not repeated.
 */
export async function undoEntries(
  clients: AwsClients,
  state: JournalState,
  log: UndoLog,
  persist: () => void,
  check?: () => Promise<void>,
): Promise<UndoReport> {
  const report: UndoReport = { done: [], failed: [] };
  const done = new Set<string>();
  for (const entry of [...state.entries].reverse()) {
    if (entry.undone) continue;
    const key = JSON.stringify(entry.step);
    if (done.has(key)) {
      entry.undone = true;
      persist();
      continue;
    }
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
      const { text } = await allowMutations(`undo ${describeStep(entry.step)}`, () =>
        undoStepFully(clients, entry.step),
      );
      entry.undone = true;
      done.add(key);
      persist();
      log(text, entry.step);
      report.done.push(text);
    } catch (err) {
      const line = `Could not undo ${describeStep(entry.step)}: ${(err as Error).message}`;
      log(line);
      report.failed.push(line);
    }
  }
  return report;
}
