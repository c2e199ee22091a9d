import type { Entry, HardState, Snapshot } from './types';

/**
 * Read-only view of what this node has durably persisted: the core reads it, the application
 * writes it while processing a Ready (see `Ready`). Indices follow the paper: the first log
 * entry is index 1; index 0 / term 0 is the empty prefix.
 *
 * After a snapshot at index S is stored, `firstIndex()` is S + 1 and `term(S)` still answers
 * (the snapshot's term), which the core needs for the log-matching check of the next append.
 */
export interface RaftStorage {
  /** `{ term: 0, vote: undefined, commit: 0 }` for a node that never persisted anything. */
  hardState(): HardState;
  /** Index of the first entry still in the log (the last snapshot's index + 1). */
  firstIndex(): number;
  /** Index of the last entry, or the snapshot's index when the log is empty. */
  lastIndex(): number;
  /** Term of an entry in [firstIndex() - 1, lastIndex()], otherwise undefined. */
  term(index: number): number | undefined;
  /** Entries in [low, high); the caller guarantees firstIndex() <= low <= high <= lastIndex() + 1. */
  entries(low: number, high: number): Entry[];
  /** The latest snapshot, or one at index 0 with an empty configuration when there is none. */
  snapshot(): Snapshot;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: undefined, commit: 0 };

export const EMPTY_SNAPSHOT: Snapshot = {
  meta: { index: 0, term: 0, confState: { voters: [] } },
  data: new Uint8Array(0),
};
