import { InvalidArgumentError, LogCompactedError, RaftInvariantError } from './errors';
import { EMPTY_HARD_STATE, EMPTY_SNAPSHOT, type RaftStorage } from './storage';
import type { Entry, HardState, Ready, Snapshot } from './types';

/**
 * RaftStorage kept in memory: for tests and the simulator, where "durable" means "survives a
 * simulated crash", which discards the RaftNode but keeps this object.
 */
export class MemoryStorage implements RaftStorage {
  private persistedHardState: HardState = EMPTY_HARD_STATE;
  private latestSnapshot: Snapshot = EMPTY_SNAPSHOT;
  /** log[i] has index latestSnapshot.meta.index + 1 + i. */
  private log: Entry[] = [];

  hardState(): HardState {
    return this.persistedHardState;
  }

  firstIndex(): number {
    return this.latestSnapshot.meta.index + 1;
  }

  lastIndex(): number {
    return this.latestSnapshot.meta.index + this.log.length;
  }

  term(index: number): number | undefined {
    const snapshotIndex = this.latestSnapshot.meta.index;
    if (index === snapshotIndex) return this.latestSnapshot.meta.term;
    if (index < snapshotIndex || index > this.lastIndex()) return undefined;
    return this.log[index - snapshotIndex - 1].term;
  }

  entries(low: number, high: number): Entry[] {
    if (low < this.firstIndex()) throw new LogCompactedError(low);
    if (high > this.lastIndex() + 1 || low > high) {
      throw new InvalidArgumentError(`entries [${low}, ${high}) out of range`);
    }
    const offset = this.firstIndex();
    return this.log.slice(low - offset, high - offset);
  }

  snapshot(): Snapshot {
    return this.latestSnapshot;
  }

  setHardState(hardState: HardState): void {
    this.persistedHardState = hardState;
  }

  /** Appends entries; an entry at an index already stored replaces it and all later entries. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].index;
    if (first > this.lastIndex() + 1) {
      throw new RaftInvariantError(`append at ${first} leaves a gap after ${this.lastIndex()}`);
    }
    // Entries already covered by the snapshot are committed and identical: skip them.
    const fresh = entries.filter((entry) => entry.index >= this.firstIndex());
    if (fresh.length === 0) return;
    // In place: the log may hold RAFT_SNAPSHOT_ENTRIES entries, and this runs every Ready.
    this.log.length = fresh[0].index - this.firstIndex();
    for (const entry of fresh) this.log.push(entry);
  }

  /** Replaces the whole log with a snapshot received from the leader. */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.meta.index <= this.latestSnapshot.meta.index) return;
    const keep =
      this.term(snapshot.meta.index) === snapshot.meta.term
        ? this.log.slice(snapshot.meta.index - this.firstIndex() + 1)
        : [];
    this.latestSnapshot = snapshot;
    this.log = keep;
  }

  /** Stores a locally taken snapshot and discards the entries it covers (log compaction, §7). */
  compact(snapshot: Snapshot): void {
    const index = snapshot.meta.index;
    if (index <= this.latestSnapshot.meta.index) return;
    if (index > this.lastIndex()) {
      throw new InvalidArgumentError(`compact at ${index} beyond last index ${this.lastIndex()}`);
    }
    this.log = this.log.slice(index - this.firstIndex() + 1);
    this.latestSnapshot = snapshot;
  }

  /** Step 1 of the Ready contract, as an application would do it in one transaction. */
  persist(ready: Ready): void {
    if (ready.snapshot) this.applySnapshot(ready.snapshot);
    this.append(ready.entries);
    if (ready.hardState) this.setHardState(ready.hardState);
  }
}
