import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import { DataSource, EntityManager, FindOptionsWhere, MoreThan, QueryRunner } from 'typeorm';
import { sqlTime } from '../database/sql-dialect';
import { SqlWriter } from '../database/sql-writer';
import {
  ENTITIES,
  AuditEventRow,
  ConfigHistoryRow,
  ConfigRow,
  ConfigVersionRow,
  IdempotencyRow,
  NamespaceRow,
  AccessTokenRow,
} from '../database/entities';

/** The tables that make up the state machine, in foreign-key order. */
const TABLES = [
  NamespaceRow,
  ConfigRow,
  ConfigVersionRow,
  ConfigHistoryRow,
  IdempotencyRow,
  AccessTokenRow,
  AuditEventRow,
] as const;
type Row =
  | NamespaceRow
  | ConfigRow
  | ConfigVersionRow
  | ConfigHistoryRow
  | IdempotencyRow
  | AccessTokenRow
  | AuditEventRow;

interface SnapshotDocument {
  format: 1;
  tables: Record<string, Array<Record<string, unknown>>>;
}

const DATE_COLUMNS = new Set(['createdAt', 'updatedAt']);

/**
 * Rows read per query while dumping: the event loop gets a turn between two reads, and a chunk
 * of the largest rows (a history row holds two values of up to MAX_VALUE_BYTES) stays in memory.
 */
const READ_CHUNK = 500;

/**
 * Everything the state machine wrote, as `manager` sees it. Read in primary-key order, a chunk
 * at a time, and compressed on the thread pool, so a history of millions of rows neither holds
 * the event loop for seconds nor needs a second copy as one JSON string. The document is the
 * one `restoreState` reads (`{"format":1,"tables":{...}}`).
 */
export async function dumpState(manager: EntityManager): Promise<Uint8Array> {
  const gzip = createGzip();
  const parts: Buffer[] = [];
  gzip.on('data', (part: Buffer) => parts.push(part));
  // Waits while zlib's input buffer is full, so the compressor sets the pace of the reads.
  const write = async (text: string) => {
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  try {
    await write('{"format":1,"tables":{');
    for (const [position, table] of TABLES.entries()) {
      await write(`${position > 0 ? ',' : ''}${JSON.stringify(table.name)}:[`);
      let separator = '';
      for await (const rows of chunksOf(manager, table)) {
        await write(separator + rows.map((row) => JSON.stringify(row)).join(','));
        separator = ',';
      }
      await write(']');
    }
    gzip.end('}}');
    await once(gzip, 'end');
  } catch (error) {
    gzip.destroy();
    throw error;
  }
  return Buffer.concat(parts);
}

async function* chunksOf(
  manager: EntityManager,
  table: (typeof TABLES)[number],
): AsyncGenerator<Row[]> {
  const keys = manager.connection
    .getMetadata(table)
    .primaryColumns.map((column) => column.propertyName as keyof Row);
  const order = Object.fromEntries(keys.map((key) => [key, 'ASC' as const]));
  let after: Row | undefined;
  for (;;) {
    const rows = await manager.find(table as new () => Row, {
      where: after === undefined ? {} : afterKey(keys, after),
      order,
      take: READ_CHUNK,
    });
    if (rows.length > 0) yield rows;
    if (rows.length < READ_CHUNK) return;
    after = rows[rows.length - 1];
    // better-sqlite3 answers synchronously: without this, the loop would not get a turn.
    await nextTurn();
  }
}

/**
 * Rows whose primary key sorts after `row`'s, for a key of one or more columns (keyset
 * paging): (a > x) OR (a = x AND b > y) OR ...
 */
function afterKey(keys: ReadonlyArray<keyof Row>, row: Row): FindOptionsWhere<Row>[] {
  return keys.map((key, position) => {
    const where: Record<string, unknown> = {};
    for (const earlier of keys.slice(0, position)) where[earlier] = row[earlier];
    where[key] = MoreThan(row[key]);
    return where as FindOptionsWhere<Row>;
  });
}

/** The state machine as of the moment it was opened, whatever is written after. */
export interface StateReader {
  dump(): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Opens a read view of the state machine that later commits do not change, so a snapshot of a
 * large state can be built while the Raft loop goes on writing: on MySQL a REPEATABLE READ
 * transaction started WITH CONSISTENT SNAPSHOT, on SQLite a read transaction on a second
 * (read-only) connection, which WAL keeps at the moment of its first read. Undefined for an
 * in-memory SQLite database, which has no second connection: dump that one in place.
 */
export async function openStateReader(dataSource: DataSource): Promise<StateReader | undefined> {
  const options = dataSource.options;
  if (options.type === 'mysql') {
    const runner = dataSource.createQueryRunner();
    return readerAfter(
      runner,
      [
        // For the next transaction only: the pooled connection keeps the server's default after.
        'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ',
        'START TRANSACTION WITH CONSISTENT SNAPSHOT',
      ],
      () => runner.release(),
    );
  }
  if (options.type !== 'better-sqlite3' || options.database === ':memory:') return undefined;
  const second = new DataSource({
    type: 'better-sqlite3',
    database: options.database,
    readonly: true,
    entities: ENTITIES,
  });
  await second.initialize();
  return readerAfter(
    second.createQueryRunner(),
    // A SQLite read transaction takes its snapshot at its first read, not at BEGIN.
    ['BEGIN', 'SELECT COUNT(*) FROM "namespace"'],
    () => second.destroy(),
  );
}

/** A reader on `runner` once `opening` ran; `release` frees the connection, also on failure. */
async function readerAfter(
  runner: QueryRunner,
  opening: readonly string[],
  release: () => Promise<void>,
): Promise<StateReader> {
  try {
    for (const statement of opening) await runner.query(statement);
  } catch (error) {
    await release();
    throw error;
  }
  return {
    dump: () => dumpState(runner.manager),
    close: async () => {
      try {
        await runner.query('ROLLBACK');
      } finally {
        await release();
      }
    },
  };
}

/** Replaces the state machine's tables with a snapshot's (InstallSnapshot on a follower). */
export async function restoreState(
  dataSource: DataSource,
  writer: SqlWriter,
  data: Uint8Array,
): Promise<void> {
  const document = JSON.parse(gunzipSync(Buffer.from(data)).toString('utf8')) as SnapshotDocument;
  // Multi-row INSERTs through the Raft loop's writer: TypeORM's insert() re-read defaulted
  // columns after every statement, which made 200,000 rows take 13 s on MariaDB.
  const { id } = writer.dialect;
  for (const table of [...TABLES].reverse())
    await writer.write(`DELETE FROM ${id(dataSource.getMetadata(table).tableName)}`, []);
  for (const table of TABLES) {
    const { tableName, columns } = dataSource.getMetadata(table);
    const rows = (document.tables[table.name] ?? []).map((row) =>
      columns.map((column) => {
        const value = row[column.propertyName];
        // A column the snapshot's writer did not have yet: its entity default, else NULL (a
        // column added later needs one of the two for an older snapshot to install).
        if (value === undefined)
          return typeof column.default === 'function' ? null : (column.default ?? null);
        return DATE_COLUMNS.has(column.propertyName) && typeof value === 'string'
          ? sqlTime(Date.parse(value))
          : value;
      }),
    );
    await writer.dialect.insertRows(
      writer,
      tableName,
      columns.map((column) => column.databaseName),
      rows,
    );
  }
}
