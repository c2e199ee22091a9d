import { Entry, HardState, MemoryStorage, RaftStorage, Ready, Snapshot } from '@cc/raft';
import { SqlWriter } from '../../database/sql-writer';

/** Runs `work` in one transaction (the Raft loop passes its serial queue, SqlTransactions.run). */
export type TransactionRunner = <T>(work: (writer: SqlWriter) => Promise<T>) => Promise<T>;

/**
 * The log store port of the Raft log: where a node's entries, hard state and snapshot live. The
 * core reads a memory mirror (it is synchronous); `write` stores a Ready inside the caller's
 * transaction, and `persisted` updates the mirror once that transaction committed. The durable
 * store keeps it in SQL tables; a test keeps it in memory and can make it fail.
 */
export abstract class RaftLogStore implements RaftStorage {
  protected memory = new MemoryStorage();
  protected appliedIndex = 0;

  hardState(): HardState {
    return this.memory.hardState();
  }
  firstIndex(): number {
    return this.memory.firstIndex();
  }
  lastIndex(): number {
    return this.memory.lastIndex();
  }
  term(index: number): number | undefined {
    return this.memory.term(index);
  }
  entries(low: number, high: number): Entry[] {
    return this.memory.entries(low, high);
  }
  snapshot(): Snapshot {
    return this.memory.snapshot();
  }

  /** `last_applied` as this node stored it before it stopped. */
  get applied(): number {
    return this.appliedIndex;
  }

  /** Reads what this node persisted before it stopped. */
  abstract load(): Promise<void>;

  /**
   * Step 1 of the Ready contract inside the caller's transaction: the snapshot, the entries (an
   * entry at an index already stored replaces it and everything after it, Figure 2 step 3) and
   * the hard state. Call `persisted(ready)` once that transaction committed.
   */
  abstract write(writer: SqlWriter, ready: Ready): Promise<void>;

  /** Updates the memory mirror the core reads, after `write`'s transaction committed. */
  persisted(ready: Ready): void {
    this.memory.persist(ready);
  }

  /**
   * Stores a locally taken snapshot (paper section 7); from then on the core reads the log from
   * after it. The entries it covers may stay until `dropCompactedLog` (a restart ignores them).
   */
  async compact(snapshot: Snapshot, run: TransactionRunner): Promise<void> {
    await run((writer) => this.saveSnapshot(writer, snapshot));
    this.memory.compact(snapshot);
  }

  /** Deletes up to `limit` of the stored entries the snapshot covers; how many went (0: none left). */
  abstract dropCompactedLog(run: TransactionRunner, limit: number): Promise<number>;

  protected abstract saveSnapshot(writer: SqlWriter, snapshot: Snapshot): Promise<void>;
}
