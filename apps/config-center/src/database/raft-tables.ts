import { EntityManager } from 'typeorm';
import { SqlDialect, sqlTime } from './sql-dialect';

/** Entries as both logs store them in `raft_log` (`id` = `index`). */
export interface LogEntryRow {
  index: number;
  term: number;
  type: string;
  data: Uint8Array;
}

/** Appends log entries in multi-row INSERTs (the single-node log and the Raft storage). */
export async function appendLogEntries(
  manager: EntityManager,
  entries: readonly LogEntryRow[],
): Promise<void> {
  const createdAt = sqlTime(Date.now());
  const rows = entries.map((entry) => [
    entry.index,
    entry.term,
    entry.index,
    entry.type,
    Buffer.from(entry.data),
    createdAt,
  ]);
  await SqlDialect.of(manager).insertRows(
    manager,
    'raft_log',
    ['id', 'term', 'index', 'type', 'data', 'created_at'],
    rows,
  );
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
 * Sets some columns of this node's `raft_state` row in one UPDATE (an INSERT the first time):
 * hard state from the Raft storage, `last_applied` from apply, inside their transactions.
 */
export async function saveRaftState(
  manager: EntityManager,
  nodeId: string,
  fields: RaftStateFields,
): Promise<void> {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('saveRaftState needs a transactional EntityManager');
  const sql = SqlDialect.of(manager);
  const names = (Object.keys(fields) as Array<keyof RaftStateFields>).filter(
    (name) => fields[name] !== undefined,
  );
  const now = sqlTime(Date.now());
  const assignments = [
    ...names.map((name) => `${sql.id(RAFT_STATE_COLUMNS[name])} = ?`),
    `${sql.id('updated_at')} = ?`,
  ];
  const result = await runner.query(
    `UPDATE ${sql.id('raft_state')} SET ${assignments.join(', ')} WHERE ${sql.id('node_id')} = ?`,
    [...names.map((name) => fields[name]), now, nodeId],
    true,
  );
  if (result.affected) return;
  await sql.insertRows(
    manager,
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
        now,
      ],
    ],
  );
}
