import { LogCompactedError, RaftInvariantError } from './errors';
import type { RaftStorage } from './storage';
import type { Entry, Snapshot } from './types';

/**
 * The log as the core sees it: the persisted part (storage) followed by the unstable part
 * (entries and maybe a snapshot not yet handed out through a Ready and advanced).
 * Modelled on etcd-io/raft's raftLog + unstable.
 */
export class RaftLog {
  /** Snapshot received from the leader, not yet persisted. */
  private unstableSnapshot: Snapshot | undefined;
  private unstableEntries: Entry[] = [];
  /** Index of unstableEntries[0]. */
  private unstableOffset: number;
  committed: number;
  applied: number;

  constructor(
    private readonly storage: RaftStorage,
    applied: number,
  ) {
    this.unstableOffset = storage.lastIndex() + 1;
    this.committed = storage.hardState().commit;
    const snapshotIndex = storage.firstIndex() - 1;
    if (this.committed < snapshotIndex) this.committed = snapshotIndex;
    // Applied state that predates the snapshot was replaced by it when the snapshot was stored.
    this.applied = Math.max(Math.min(applied, this.committed), snapshotIndex);
  }

  firstIndex(): number {
    if (this.unstableSnapshot) return this.unstableSnapshot.meta.index + 1;
    return this.storage.firstIndex();
  }

  lastIndex(): number {
    if (this.unstableEntries.length > 0)
      return this.unstableOffset + this.unstableEntries.length - 1;
    if (this.unstableSnapshot) return this.unstableSnapshot.meta.index;
    return this.storage.lastIndex();
  }

  lastTerm(): number {
    return this.termOrThrow(this.lastIndex());
  }

  /** Term of the entry at `index`, or undefined if it is compacted or beyond the last index. */
  term(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    if (index >= this.unstableOffset && this.unstableEntries.length > 0) {
      return this.unstableEntries[index - this.unstableOffset].term;
    }
    if (this.unstableSnapshot) {
      return index === this.unstableSnapshot.meta.index
        ? this.unstableSnapshot.meta.term
        : undefined;
    }
    return this.storage.term(index);
  }

  termOrThrow(index: number): number {
    const term = this.term(index);
    if (term === undefined) throw new LogCompactedError(index);
    return term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft's "at least as up-to-date" comparison of logs (paper §5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourLastTerm = this.lastTerm();
    return lastTerm > ourLastTerm || (lastTerm === ourLastTerm && lastIndex >= this.lastIndex());
  }

  /**
   * The follower side of AppendEntries: if our log holds `prevLogIndex` at `prevLogTerm`,
   * append what is new (truncating a conflicting suffix) and return the appended suffix and the
   * index of the last entry known to match the leader; otherwise undefined.
   */
  maybeAppend(
    prevLogIndex: number,
    prevLogTerm: number,
    entries: readonly Entry[],
  ): { lastNewIndex: number; appended: Entry[] } | undefined {
    if (!this.matchTerm(prevLogIndex, prevLogTerm)) return undefined;
    const lastNewIndex = prevLogIndex + entries.length;
    const conflictIndex = this.findConflict(entries);
    if (conflictIndex === 0) return { lastNewIndex, appended: [] };
    if (conflictIndex <= this.committed) {
      throw new RaftInvariantError(
        `entry ${conflictIndex} conflicts with committed entry (committed ${this.committed})`,
      );
    }
    const appended = entries.slice(conflictIndex - prevLogIndex - 1);
    this.append(appended);
    return { lastNewIndex, appended };
  }

  /** First entry that is new or disagrees in term with ours; 0 if all are already present. */
  private findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * Largest index <= `index` whose term is <= `term`: every entry after it has a larger term, so
   * none of them can match a leader entry of term `term` and the leader can skip them (§5.3).
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let candidate = Math.min(index, this.lastIndex());
    for (;;) {
      const candidateTerm = this.term(candidate);
      if (candidateTerm === undefined) return { index: candidate, term: 0 };
      if (candidateTerm <= term) return { index: candidate, term: candidateTerm };
      candidate--;
    }
  }

  /** Appends to the unstable part; an entry at an existing index replaces the suffix from there. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].index;
    if (first <= this.committed) {
      throw new RaftInvariantError(
        `append at ${first} would overwrite committed ${this.committed}`,
      );
    }
    if (first > this.lastIndex() + 1) {
      throw new RaftInvariantError(`append at ${first} leaves a gap after ${this.lastIndex()}`);
    }
    if (first === this.unstableOffset + this.unstableEntries.length) {
      this.unstableEntries.push(...entries);
    } else if (first <= this.unstableOffset) {
      // The persisted suffix from `first` is replaced: the Ready's entries start below the
      // stored last index, which tells storage to truncate.
      this.unstableOffset = first;
      this.unstableEntries = [...entries];
    } else {
      this.unstableEntries = this.unstableEntries
        .slice(0, first - this.unstableOffset)
        .concat(entries);
    }
  }

  /**
   * Entries in [low, high), at most `maxEntries` of them and, past the first, at most `maxBytes`
   * of data (limitSize); throws if `low` is compacted.
   */
  entries(low: number, high: number, maxEntries = Infinity, maxBytes = Infinity): Entry[] {
    if (low < this.firstIndex()) throw new LogCompactedError(low);
    const end = Math.min(high, this.lastIndex() + 1, low + maxEntries);
    if (low >= end) return [];
    // concat, not push(...): a range may hold more entries than a call takes arguments.
    let result: Entry[] = [];
    if (low < this.unstableOffset) {
      result = this.storage.entries(low, Math.min(end, this.unstableOffset));
    }
    if (end > this.unstableOffset) {
      const from = Math.max(low, this.unstableOffset) - this.unstableOffset;
      result = result.concat(this.unstableEntries.slice(from, end - this.unstableOffset));
    }
    return limitSize(result, maxBytes);
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    if (index > this.lastIndex()) {
      throw new RaftInvariantError(`commit ${index} beyond last index ${this.lastIndex()}`);
    }
    this.committed = index;
    return true;
  }

  hasUnstable(): boolean {
    return this.unstableEntries.length > 0 || this.unstableSnapshot !== undefined;
  }

  pendingEntries(): Entry[] {
    return [...this.unstableEntries];
  }

  pendingSnapshot(): Snapshot | undefined {
    return this.unstableSnapshot;
  }

  /** Committed entries not yet applied, starting after any pending snapshot. */
  hasEntriesToApply(): boolean {
    return this.committed > Math.max(this.applied, this.firstIndex() - 1);
  }

  entriesToApply(): Entry[] {
    const low = Math.max(this.applied + 1, this.firstIndex());
    return this.entries(low, this.committed + 1);
  }

  appliedTo(index: number): void {
    if (index > this.committed) {
      throw new RaftInvariantError(`applied ${index} beyond committed ${this.committed}`);
    }
    if (index > this.applied) this.applied = index;
  }

  /** Called on advance: entries up to `index` (if still of `term`) are now in storage. */
  stableTo(index: number, term: number): void {
    if (!this.matchTerm(index, term) || index < this.unstableOffset) return;
    this.unstableEntries = this.unstableEntries.slice(index + 1 - this.unstableOffset);
    this.unstableOffset = index + 1;
  }

  stableSnapshotTo(index: number): void {
    if (this.unstableSnapshot?.meta.index === index) this.unstableSnapshot = undefined;
  }

  /** Replaces the whole log by a snapshot from the leader (paper §7, InstallSnapshot). */
  restore(snapshot: Snapshot): void {
    this.unstableSnapshot = snapshot;
    this.unstableEntries = [];
    this.unstableOffset = snapshot.meta.index + 1;
    this.committed = snapshot.meta.index;
  }
}

/** The default byte budget of one append (RaftConfig.maxBytesPerMessage). */
export const DEFAULT_MAX_BYTES_PER_MESSAGE = 1024 * 1024;

/**
 * The longest prefix of `entries` whose data fits `maxBytes`, but never less than one entry
 * (etcd's limitSize): one entry larger than the budget still travels, alone.
 */
export function limitSize(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length <= 1 || maxBytes === Infinity) return entries;
  let bytes = entries[0]!.data.byteLength;
  for (let count = 1; count < entries.length; count++) {
    bytes += entries[count]!.data.byteLength;
    if (bytes > maxBytes) return entries.slice(0, count);
  }
  return entries;
}
