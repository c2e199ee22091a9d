import { sqlTime } from './sql-dialect';
import { SqlWriter } from './sql-writer';

/** Entries as both logs store them in `raft_log` (`id` = `index`). */
export interface LogEntryRow {
  index: number;
  term: number;
  type: string;
  data: Uint8Array;
}

/** Appends log entries in multi-row INSERTs (the single-node log and the Raft storage). */
export async function appendLogEntries(
  writer: SqlWriter,
  entries: readonly LogEntryRow[],
): Promise<void> {
  const createdAt = sqlTime(Date.now());
  const rows = entries.map((entry) => [
    entry.index,
    entry.term,
    entry.index,
    entry.type,
    Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength),
    createdAt,
  ]);
  await writer.dialect.insertRows(
    writer,
    'raft_log',
    ['id', 'term', 'index', 'type', 'data', 'created_at'],
    rows,
  );
}

/**
 * Drops log rows: `through` an index (compaction, a snapshot covering them) or `from` one on
 * (a conflicting tail). Returns how many went.
 */
export async function deleteLogEntries(
  writer: SqlWriter,
  range: { through: number } | { from: number },
): Promise<number> {
  const { id } = writer.dialect;
  const [operator, index] = 'through' in range ? ['<=', range.through] : ['>=', range.from];
  return writer.run(`DELETE FROM ${id('raft_log')} WHERE ${id('index')} ${operator} ?`, [index]);
}

export interface RaftStateFields {
  currentTerm?: number;
  votedFor?: string | null;
  commitIndex?: number;
  lastApplied?: number;
}

const RAFT_STATE_COLUMNS: Record<keyof RaftStateFields, string> = {
  currentTerm: 'current_term',
  votedFor: 'voted_for',
  commitIndex: 'commit_index',
  lastApplied: 'last_applied',
};

/**
 * Sets some columns of this node's `raft_state` row (creating it the first time) in one
 * upsert that needs no answer, so it can travel with the rest of its transaction: hard state
 * from the Raft storage, `last_applied` from apply.
 */
export async function saveRaftState(
  writer: SqlWriter,
  nodeId: string,
  fields: RaftStateFields,
): Promise<void> {
  const names = (Object.keys(fields) as Array<keyof RaftStateFields>).filter(
    (name) => fields[name] !== undefined,
  );
  await writer.dialect.insertRows(
    writer,
    'raft_state',
    ['node_id', 'current_term', 'voted_for', 'role', 'commit_index', 'last_applied', 'updated_at'],
    [
      [
        nodeId,
        fields.currentTerm ?? 0,
        fields.votedFor ?? null,
        'FOLLOWER',
        fields.commitIndex ?? 0,
        fields.lastApplied ?? 0,
        sqlTime(Date.now()),
      ],
    ],
    'node_id',
    [...names.map((name) => RAFT_STATE_COLUMNS[name]), 'updated_at'],
  );
}

/** This node's `last_applied` as the database has it now (0 before the first apply). */
export async function readLastApplied(writer: SqlWriter, nodeId: string): Promise<number> {
  const { id } = writer.dialect;
  const rows = await writer.select<{ last_applied: number | string }>(
    `SELECT ${id('last_applied')} FROM ${id('raft_state')} WHERE ${id('node_id')} = ?`,
    [nodeId],
  );
  return Number(rows[0]?.last_applied ?? 0);
}
