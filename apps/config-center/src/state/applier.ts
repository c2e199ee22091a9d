import { SqlWriter } from '../database/sql-writer';
import { AppliedBatch } from './command-log';
import { Command } from './commands';

/** A committed log entry handed to the state machine; no command for a Raft-internal entry. */
export interface CommittedEntry {
  index: number;
  command?: Command;
}

/** What apply did inside a transaction, published once that transaction committed. */
export interface PendingApply {
  readonly batch: AppliedBatch;
  /** Shows the changes in the view; called by `Applier.publish` only. */
  readonly show: () => void;
}

/** The state machine, read consistently while the log goes on (a snapshot being built). */
export interface StateSnapshotReader {
  dump(): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * The applier port of a command log (DESIGN 2): both logs, single-node and Raft, apply committed
 * entries here, inside the transaction that stores them (one fsync), and publish them once it
 * committed. A test swaps it for an in-memory state machine.
 */
export abstract class Applier {
  /** Loads the applied state the node restarts from (once; later calls share the first load). */
  abstract load(): Promise<{ appliedIndex: number; lastLogIndex: number }>;
  /** The index the view shows. */
  abstract get appliedIndex(): number;
  /**
   * Applies `entries` in `writer`'s transaction and records `last_applied` as the last one's
   * index (with `term`, the single node's commit index and term too). Nothing is visible yet.
   */
  abstract apply(
    writer: SqlWriter,
    entries: readonly CommittedEntry[],
    term?: number,
  ): Promise<PendingApply>;
  /** After the transaction committed: the view shows the entries, then listeners hear of them. */
  abstract publish(pending: PendingApply): void;
  abstract onApplied(listener: (batch: AppliedBatch) => void): void;
  /** InstallSnapshot, in `writer`'s transaction: the state machine becomes the snapshot's. */
  abstract restore(writer: SqlWriter, data: Uint8Array, index: number): Promise<void>;
  /** After `restore`'s transaction committed: the view is reloaded at `index`. */
  abstract reload(index: number): Promise<void>;
  /**
   * A reader of the state as it is now, which later commits do not change; undefined when the
   * storage has no second connection (then `dump()` reads in place, the log held meanwhile).
   */
  abstract openSnapshotReader(): Promise<StateSnapshotReader | undefined>;
  abstract dump(): Promise<Uint8Array>;
}
