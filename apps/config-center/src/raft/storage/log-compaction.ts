import { Logger } from '@nestjs/common';
import { RaftError, RaftNode } from '@cc/raft';
import { Applier } from '../../state/applier';
import { RaftLogStore, TransactionRunner } from './raft-log-store';

/** Log rows deleted per transaction once a snapshot covers them (~30 ms each on MariaDB). */
const LOG_ROWS_PER_DELETE = 5000;

export interface CompactionStats {
  snapshotsTaken: number;
  snapshotsInstalled: number;
  lastSnapshotBytes: number;
  lastSnapshotBuildMs: number;
}

/**
 * Log compaction (paper section 7) every `every` applied entries, without holding the Raft
 * loop: a loop held longer than the election timeout would cost the cluster its leader at
 * every compaction, and reading a history of 100,000s of rows takes seconds.
 *
 * The loop calls `betweenReadies()` and `afterReady(applied)`, never during a Ready, so every
 * database step here is ordered with the Ready transactions (and with a snapshot installed from
 * the leader): the read view is opened in `afterReady`, where the tables show exactly
 * `applied`; the reading runs in the background; the loop then stores the result and deletes
 * the log rows it covers, one chunk per turn.
 */
export class LogCompaction {
  private readonly logger = new Logger('Raft');
  private snapshotIndex: number;
  private building = false;
  private built?: { index: number; data: Uint8Array; started: number };
  private retryAt = 0;
  private logRowsToDrop = false;
  readonly stats: CompactionStats = {
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
    lastSnapshotBytes: 0,
    lastSnapshotBuildMs: 0,
  };

  constructor(
    private readonly every: number,
    private readonly node: () => RaftNode,
    private readonly storage: RaftLogStore,
    private readonly run: TransactionRunner,
    private readonly applier: Applier,
    /** Wakes the loop when a background read has ended. */
    private readonly wake: () => void,
  ) {
    this.snapshotIndex = storage.snapshot().meta.index;
    this.logRowsToDrop = this.snapshotIndex > 0;
  }

  /** True when the loop has work here even without a Ready. */
  get pending(): boolean {
    return this.built !== undefined || this.logRowsToDrop;
  }

  /** A snapshot from the leader replaced the state: the next compaction counts from it. */
  installed(index: number): void {
    this.stats.snapshotsInstalled += 1;
    this.snapshotIndex = Math.max(this.snapshotIndex, index);
    this.logRowsToDrop = true;
  }

  async betweenReadies(): Promise<void> {
    if (this.built) await this.store();
    else if (this.logRowsToDrop) await this.dropLogRows();
  }

  async afterReady(applied: number): Promise<void> {
    if (this.building || this.built || applied < this.retryAt) return;
    if (applied - this.snapshotIndex < this.every) return;
    const started = Date.now();
    let reader;
    try {
      reader = await this.applier.openSnapshotReader();
    } catch (error) {
      // Not a persistence failure (DESIGN 19): the node keeps running, compaction retries.
      return this.retryLater(applied, error);
    }
    if (!reader) {
      this.built = { index: applied, data: await this.applier.dump(), started };
      return;
    }
    this.building = true;
    const open = reader;
    void open
      .dump()
      .then(
        (data) => {
          this.built = { index: applied, data, started };
        },
        (error: unknown) => this.retryLater(applied, error),
      )
      .finally(() => {
        this.building = false;
        void open
          .close()
          .catch((error: unknown) =>
            this.logger.warn({ err: error }, 'snapshot reader not closed'),
          );
        this.wake();
      });
  }

  private retryLater(index: number, error: unknown): void {
    this.retryAt = index + Math.ceil(this.every / 10);
    this.logger.warn({ err: error, index }, 'snapshot not built; compaction retries later');
  }

  /** The core and the storage take the snapshot read in the background. */
  private async store(): Promise<void> {
    const built = this.built!;
    this.built = undefined;
    // A snapshot from the leader may have replaced the state while this one was read.
    if (built.index <= this.storage.snapshot().meta.index) return;
    try {
      const snapshot = this.node().compact(built.index, built.data);
      await this.storage.compact(snapshot, this.run);
      this.stats.snapshotsTaken += 1;
      this.stats.lastSnapshotBytes = built.data.length;
      this.stats.lastSnapshotBuildMs = Date.now() - built.started;
      this.logger.log(
        { index: built.index, bytes: built.data.length },
        'log compacted into a snapshot',
      );
    } catch (error) {
      if (!(error instanceof RaftError)) throw error;
      this.logger.warn({ err: error }, 'compaction skipped');
    }
    this.snapshotIndex = built.index;
    this.logRowsToDrop = true;
  }

  private async dropLogRows(): Promise<void> {
    const dropped = await this.storage.dropCompactedLog(this.run, LOG_ROWS_PER_DELETE);
    this.logRowsToDrop = dropped > 0;
  }
}
