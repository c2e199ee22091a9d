import { DataSource, MoreThanOrEqual } from 'typeorm';
import { Entry, EntryType, HardState, MemoryStorage, Ready, Snapshot } from '@cc/raft';
import { RaftLogRow, RaftSnapshotRow, RaftStateRow } from '../../database/entities';
import { appendLogEntries, deleteLogEntries, saveRaftState } from '../../database/raft-tables';
import { SqlDialect, sqlTime } from '../../database/sql-dialect';
import { SqlWriter } from '../../database/sql-writer';
import { RaftLogStore, TransactionRunner } from './raft-log-store';

/** Rows of at most 1 MiB: a statement stays far below MySQL's max_allowed_packet, even as hex. */
const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

/**
 * RaftStorage on the `raft_log` / `raft_state` / `raft_snapshot` tables. The core reads a
 * memory mirror (it is synchronous); `persist` writes a Ready's snapshot, entries and hard
 * state in ONE transaction (one fsync for a whole batch of proposals: group commit), and only
 * then updates the mirror.
 */
export class DurableRaftStorage extends RaftLogStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly nodeId: string,
  ) {
    super();
  }

  /** Also after a database outage: the mirror is rebuilt from what the database kept. */
  async load(): Promise<void> {
    this.memory = new MemoryStorage();
    this.appliedIndex = 0;
    const [state, snapshot] = await Promise.all([
      this.dataSource.getRepository(RaftStateRow).findOneBy({ nodeId: this.nodeId }),
      this.dataSource.getRepository(RaftSnapshotRow).findOneBy({ nodeId: this.nodeId }),
    ]);
    if (snapshot) {
      this.memory.applySnapshot({
        meta: {
          index: snapshot.snapshotIndex,
          term: snapshot.snapshotTerm,
          confState: { voters: JSON.parse(snapshot.voters) as string[] },
        },
        data: new Uint8Array(
          snapshot.data.length > 0 ? snapshot.data : await this.loadSnapshotChunks(),
        ),
      });
    }
    const rows = await this.dataSource.getRepository(RaftLogRow).find({
      where: { index: MoreThanOrEqual(this.memory.firstIndex()) },
      order: { index: 'ASC' },
    });
    this.memory.append(rows.map(toEntry));
    if (state) {
      this.memory.setHardState({
        term: state.currentTerm,
        vote: state.votedFor ?? undefined,
        // Applied entries were committed, even if a commit-only hard state was never written.
        commit: Math.min(Math.max(state.commitIndex, state.lastApplied), this.memory.lastIndex()),
      });
      this.appliedIndex = state.lastApplied;
    }
  }

  async write(writer: SqlWriter, ready: Ready): Promise<void> {
    if (ready.snapshot) {
      await this.saveSnapshot(writer, ready.snapshot);
      // As MemoryStorage.applySnapshot: drop what the snapshot covers, and the tail after it
      // unless this log agrees with the snapshot at its index.
      const { index, term } = ready.snapshot.meta;
      const keepTail = this.memory.term(index) === term;
      await deleteLogEntries(writer, keepTail ? { through: index } : { from: 0 });
    }
    if (ready.entries.length > 0) {
      // Appending at the end (the usual case) needs no DELETE.
      if (ready.entries[0].index <= this.memory.lastIndex())
        await deleteLogEntries(writer, { from: ready.entries[0].index });
      await appendLogEntries(writer, ready.entries);
    }
    if (ready.hardState) await this.saveHardState(writer, ready.hardState);
  }

  /**
   * Deletes up to `limit` of the `raft_log` rows the stored snapshot covers, in one transaction
   * (a restart ignores them, so they can go a chunk at a time). Returns how many went: 0 when
   * none are left.
   */
  async dropCompactedLog(run: TransactionRunner, limit: number): Promise<number> {
    const through = this.memory.firstIndex() - 1;
    return run(async (writer) => {
      const { id } = writer.dialect;
      const [lowest] = await writer.select<{ low: number | string | null }>(
        `SELECT MIN(${id('index')}) AS low FROM ${id('raft_log')}`,
        [],
      );
      const low = lowest?.low === null || lowest?.low === undefined ? null : Number(lowest.low);
      if (low === null || low > through) return 0;
      return deleteLogEntries(writer, { through: Math.min(through, low + limit - 1) });
    });
  }

  /** The metadata row, and the data in SNAPSHOT_CHUNK_BYTES rows (see the chunks migration). */
  protected async saveSnapshot(writer: SqlWriter, snapshot: Snapshot): Promise<void> {
    const { id } = writer.dialect;
    await writer.dialect.insertRows(
      writer,
      'raft_snapshot',
      ['node_id', 'snapshot_index', 'snapshot_term', 'voters', 'data', 'created_at'],
      [
        [
          this.nodeId,
          snapshot.meta.index,
          snapshot.meta.term,
          JSON.stringify(snapshot.meta.confState.voters),
          Buffer.alloc(0),
          sqlTime(Date.now()),
        ],
      ],
      'node_id',
    );
    await writer.write(`DELETE FROM ${id('raft_snapshot_chunk')} WHERE ${id('node_id')} = ?`, [
      this.nodeId,
    ]);
    const data = Buffer.from(
      snapshot.data.buffer,
      snapshot.data.byteOffset,
      snapshot.data.byteLength,
    );
    for (let seq = 0; seq * SNAPSHOT_CHUNK_BYTES < data.length; seq++) {
      const chunk = data.subarray(seq * SNAPSHOT_CHUNK_BYTES, (seq + 1) * SNAPSHOT_CHUNK_BYTES);
      await writer.dialect.insertRows(
        writer,
        'raft_snapshot_chunk',
        ['node_id', 'seq', 'data'],
        [[this.nodeId, seq, chunk]],
      );
    }
  }

  private async loadSnapshotChunks(): Promise<Buffer> {
    const { id } = SqlDialect.of(this.dataSource.manager);
    const rows: Array<{ data: Buffer }> = await this.dataSource.query(
      `SELECT ${id('data')} FROM ${id('raft_snapshot_chunk')} WHERE ${id('node_id')} = ? ORDER BY ${id('seq')}`,
      [this.nodeId],
    );
    return Buffer.concat(rows.map((row) => row.data));
  }

  private async saveHardState(writer: SqlWriter, hardState: HardState): Promise<void> {
    await saveRaftState(writer, this.nodeId, {
      currentTerm: hardState.term,
      votedFor: hardState.vote ?? null,
      commitIndex: hardState.commit,
    });
  }
}

function toEntry(row: RaftLogRow): Entry {
  return {
    index: row.index,
    term: row.term,
    type: row.type as EntryType,
    data: new Uint8Array(row.data),
  };
}
