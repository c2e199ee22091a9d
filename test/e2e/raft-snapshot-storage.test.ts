import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { Entry, RaftNode, Ready, Snapshot } from '@cc/raft';
import { dataSourceOptions } from '../../apps/config-center/src/database/data-source-options';
import {
  ConfigHistoryRow,
  ConfigRow,
  ConfigVersionRow,
  IdempotencyRow,
  NamespaceRow,
  RaftLogRow,
} from '../../apps/config-center/src/database/entities';
import {
  EntityManagerSqlWriter,
  SqlTransactions,
} from '../../apps/config-center/src/database/sql-writer';
import { AppConfig, parseDatabaseUrl } from '../../apps/config-center/src/env/app-config';
import { SqlApplier } from '../../apps/config-center/src/state/sql-applier';
import { StateView } from '../../apps/config-center/src/state/state-view';
import { DurableRaftStorage } from '../../apps/config-center/src/raft/storage/durable-raft-storage';
import { LogCompaction } from '../../apps/config-center/src/raft/storage/log-compaction';
import {
  dumpState,
  openStateReader,
  restoreState,
} from '../../apps/config-center/src/state/state-snapshot';
import { suiteDatabaseUrl } from '../support/database';

jest.setTimeout(60_000);

/**
 * Raft snapshots larger than MySQL's max_allowed_packet (16 MiB) are stored and loaded back
 * whole, through both writers (compaction on TypeORM, a received snapshot in a Ready's
 * transaction). A database of its own: compaction deletes raft_log rows, and raft_log is
 * per database, not per node (the install test runs first, on an empty log).
 */
describe('Raft snapshot storage', () => {
  let dataSource: DataSource;
  let transactions: SqlTransactions;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const suiteUrl = suiteDatabaseUrl();
    let url: string;
    if (suiteUrl.startsWith('mysql')) {
      const database = 'config_center_snapshot_test';
      const server = new URL(suiteUrl);
      server.pathname = '/';
      const admin = await createConnection(server.toString());
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
      await admin.end();
      url = new URL(`/${database}`, suiteUrl).toString();
      cleanup = async () => {
        const again = await createConnection(server.toString());
        await again.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await again.end();
      };
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'cc-snapshot-'));
      url = `sqlite:${join(dir, 'snapshot.sqlite')}`;
      cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
    }
    dataSource = new DataSource(dataSourceOptions(parseDatabaseUrl(url)));
    await dataSource.initialize();
    transactions = new SqlTransactions(dataSource);
  });

  afterAll(async () => {
    await transactions?.close();
    await dataSource?.destroy();
    await cleanup?.();
  });

  const entries = (from: number, to: number): Entry[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      index: from + i,
      term: 2,
      type: 'normal' as const,
      data: new Uint8Array(Buffer.from(`{"n":${from + i}}`)),
    }));

  const ready = (fields: Partial<Ready>): Ready => ({
    softState: undefined,
    hardState: undefined,
    entries: [],
    snapshot: undefined,
    committedEntries: [],
    messages: [],
    readStates: [],
    ...fields,
  });

  const snapshotOf = (index: number, bytes: number): Snapshot => ({
    meta: { index, term: 2, confState: { voters: ['n1', 'n2', 'n3'] } },
    data: new Uint8Array(randomBytes(bytes)),
  });

  async function reloaded(nodeId: string): Promise<DurableRaftStorage> {
    const storage = new DurableRaftStorage(dataSource, nodeId);
    await storage.load();
    return storage;
  }

  it('a snapshot received from the leader (in a Ready) is stored whole by the write transaction', async () => {
    const storage = await reloaded('installing');
    const received = snapshotOf(50, 20 * 1024 * 1024);
    const install = ready({
      snapshot: received,
      hardState: { term: 2, vote: undefined, commit: 50 },
    });
    await transactions.run((writer) => storage.write(writer, install));
    storage.persisted(install);

    const after = await reloaded('installing');
    expect(after.snapshot().meta).toEqual(received.meta);
    expect(Buffer.compare(Buffer.from(after.snapshot().data), Buffer.from(received.data))).toBe(0);
    expect(after.hardState().commit).toBe(50);
  });

  it('compaction stores a 40 MiB snapshot and a restart loads it byte for byte, with the log after it', async () => {
    const storage = await reloaded('compacting');
    const append = ready({ entries: entries(1, 12) });
    await transactions.run((writer) => storage.write(writer, append));
    storage.persisted(append);

    // Through the Raft loop's queue: MariaDB's batch writer, 2 MiB of hex per chunk statement.
    const big = snapshotOf(8, 40 * 1024 * 1024 + 5);
    await storage.compact(big, (work) => transactions.run(work));
    const logRows = async () =>
      (await dataSource.getRepository(RaftLogRow).find({ order: { index: 'ASC' } })).map(
        (row) => row.index,
      );
    expect(await logRows()).toEqual(entries(1, 12).map((entry) => entry.index));
    // At most three rows per call: the 8 covered rows go in three, the rows after 8 stay.
    const drop = () => storage.dropCompactedLog((work) => transactions.run(work), 3);
    expect([await drop(), await drop(), await drop(), await drop()]).toEqual([3, 3, 2, 0]);
    expect(await logRows()).toEqual([9, 10, 11, 12]);

    const after = await reloaded('compacting');
    expect(after.snapshot().meta).toEqual(big.meta);
    expect(Buffer.compare(Buffer.from(after.snapshot().data), Buffer.from(big.data))).toBe(0);
    expect(after.firstIndex()).toBe(9);
    expect(after.lastIndex()).toBe(12);

    // A smaller snapshot replaces every chunk of the bigger one (TypeORM's transaction this time).
    const small = snapshotOf(10, 3000);
    await storage.compact(small, (work) =>
      dataSource.transaction((manager) => work(new EntityManagerSqlWriter(manager))),
    );
    expect(await storage.dropCompactedLog((work) => transactions.run(work), 100)).toBe(2);
    const latest = await reloaded('compacting');
    expect(Buffer.from(latest.snapshot().data)).toEqual(Buffer.from(small.data));
    expect(latest.snapshot().meta.index).toBe(10);
  });

  it('keeps each node’s snapshot apart', async () => {
    const one = await reloaded('installing');
    const other = await reloaded('compacting');
    expect(one.snapshot().meta.index).toBe(50);
    expect(other.snapshot().meta.index).toBe(10);
  });

  it('undoing the chunks migration puts a snapshot’s data back into raft_snapshot', async () => {
    // The 20 MiB one could not go back into one row on MySQL (that was the bug): drop it.
    await dataSource.query(`DELETE FROM raft_snapshot WHERE node_id = 'installing'`);
    await dataSource.query(`DELETE FROM raft_snapshot_chunk WHERE node_id = 'installing'`);
    const chunked = (await reloaded('compacting')).snapshot();
    // The migrations after it go first, then it.
    for (let undone = ''; undone !== 'RaftSnapshotChunks1732900000000';) {
      const [last] = (await dataSource.query(
        'SELECT name FROM migrations ORDER BY id DESC LIMIT 1',
      )) as Array<{ name: string }>;
      undone = last.name;
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    const rows: Array<{ data: Buffer }> = await dataSource.query(
      `SELECT data FROM raft_snapshot WHERE node_id = 'compacting'`,
    );
    expect(Buffer.from(rows[0].data)).toEqual(Buffer.from(chunked.data));
    await dataSource.runMigrations({ transaction: 'each' });
    expect(Buffer.from((await reloaded('compacting')).snapshot().data)).toEqual(
      Buffer.from(chunked.data),
    );
  });

  describe('state reader (snapshots built off the Raft loop)', () => {
    const TRICKY = JSON.stringify({
      text: 'quote \' backslash \\ nul \u0000 cr \r ctrl-z \u001a "q" 🦄',
    });
    const at = new Date('2026-11-27T08:00:00.000Z');
    type Document = { format: number; tables: Record<string, Array<Record<string, unknown>>> };
    const parse = (data: Uint8Array): Document =>
      JSON.parse(gunzipSync(Buffer.from(data)).toString('utf8')) as Document;
    const ids = (document: Document, table: string): unknown[] =>
      document.tables[table].map((row) => row.id);
    const config = (id: number, value: string) => ({
      id,
      namespaceId: 1,
      key: `k${id}`,
      value,
      version: 1,
      description: null,
      status: 1,
      createdBy: null,
      updatedBy: null,
      revision: id,
      createRevision: id,
      deleted: 0,
      createdAt: at,
      updatedAt: at,
    });
    const history = (id: number) => ({
      id,
      configId: 1,
      namespaceId: 1,
      key: 'k1',
      oldValue: null,
      newValue: `{"n":${id}}`,
      version: id,
      operation: 'UPDATE' as const,
      operator: null,
      revision: id,
      createdAt: at,
    });

    beforeAll(async () => {
      // An empty state machine, whatever ran before.
      await transactions.run((writer) =>
        restoreState(
          dataSource,
          writer,
          new Uint8Array(gzipSync(JSON.stringify({ format: 1, tables: {} }))),
        ),
      );
      await dataSource.getRepository(NamespaceRow).insert({
        id: 1,
        name: 'app',
        description: null,
        status: 1,
        revision: 1,
        createdAt: at,
        updatedAt: at,
      });
      await dataSource.getRepository(ConfigRow).insert([1, 2, 3].map((id) => config(id, '"old"')));
      // What a restore must carry through the batch writer: escapes, emoji, and a value that
      // fills most of a packet on its own.
      await dataSource.getRepository(ConfigRow).insert(config(5, TRICKY));
      await dataSource.getRepository(ConfigVersionRow).insert({
        id: 1,
        configId: 5,
        namespaceId: 1,
        key: 'k5',
        value: JSON.stringify('x'.repeat(5 * 1024 * 1024)),
        version: 1,
        status: 1,
        kept: 1,
        createdBy: 'ops',
        revision: 5,
        createdAt: at,
      });
      await dataSource
        .getRepository(IdempotencyRow)
        .insert({ scope: '', requestId: 'req-1', revision: 5, result: TRICKY, createdAt: at });
      // Two scopes, each more than a read chunk (500 rows): paged by the whole (scope, key).
      for (const scope of ['admin POST /c', 'anonymous POST /c'])
        await dataSource.getRepository(IdempotencyRow).insert(
          Array.from({ length: 600 }, (_, i) => ({
            scope,
            requestId: `key-${String(i).padStart(4, '0')}`,
            fingerprint: 'f'.repeat(64),
            revision: 6,
            result: '{"ok":true,"revision":6,"value":null}',
            createdAt: at,
          })),
        );
      // More than two read chunks of 2,000 rows.
      for (let from = 1; from <= 4500; from += 500)
        await dataSource
          .getRepository(ConfigHistoryRow)
          .insert(Array.from({ length: 500 }, (_, i) => history(from + i)));
    });

    it('shows the tables as of its opening while writes go on, and its dump restores them', async () => {
      const reader = await openStateReader(dataSource);
      if (!reader) throw new Error('a file or MySQL database has a second connection');
      try {
        await dataSource.getRepository(ConfigRow).update({ id: 1 }, { value: '"new"' });
        await dataSource.getRepository(ConfigRow).delete({ id: 3 });
        await dataSource.getRepository(ConfigRow).insert(config(4, '"later"'));
        await dataSource.getRepository(ConfigHistoryRow).insert(history(4501));

        const then = await reader.dump();
        const document = parse(then);
        expect(ids(document, 'ConfigRow')).toEqual([1, 2, 3, 5]);
        expect(document.tables.ConfigRow[3].value).toBe(TRICKY);
        expect(document.tables.ConfigRow[0].value).toBe('"old"');
        expect(ids(document, 'ConfigHistoryRow')).toEqual(
          Array.from({ length: 4500 }, (_, i) => i + 1),
        );
        expect(document.tables.IdempotencyRow).toHaveLength(1201);
        expect(document.tables.IdempotencyRow[0]).toMatchObject({
          scope: '',
          requestId: 'req-1',
          fingerprint: null,
        });
        expect(document.tables.IdempotencyRow[1200]).toMatchObject({
          scope: 'anonymous POST /c',
          requestId: 'key-0599',
          fingerprint: 'f'.repeat(64),
        });

        const now = parse(await dumpState(dataSource.manager));
        expect(ids(now, 'ConfigRow')).toEqual([1, 2, 4, 5]);
        expect(now.tables.ConfigHistoryRow).toHaveLength(4501);

        // Installed on a replica, the dump is the state it was read from, row for row.
        await transactions.run((writer) => restoreState(dataSource, writer, then));
        expect(parse(await dumpState(dataSource.manager))).toEqual(document);
      } finally {
        await reader.close();
      }
    });

    it('restores an older snapshot whose idempotency rows have no scope or fingerprint', async () => {
      const older = {
        format: 1,
        tables: {
          IdempotencyRow: [
            { requestId: 'old-1', revision: 7, result: '{"ok":true}', createdAt: at.toISOString() },
          ],
        },
      };
      await transactions.run((writer) =>
        restoreState(dataSource, writer, new Uint8Array(gzipSync(JSON.stringify(older)))),
      );
      const rows = await dataSource.getRepository(IdempotencyRow).find();
      expect(rows).toEqual([
        expect.objectContaining({ scope: '', requestId: 'old-1', fingerprint: null, revision: 7 }),
      ]);
    });

    it('a snapshot read while the leader’s was installed is dropped, not stored over it', async () => {
      // raft_log is per database: the other tests' rows would be this node's log.
      await dataSource.query('DELETE FROM raft_log');
      const storage = await reloaded('racing');
      const compacted: number[] = [];
      // The core's side of compaction: the snapshot it would hand back for `index`.
      const node = {
        compact: (index: number, data: Uint8Array): Snapshot => {
          compacted.push(index);
          return { meta: { index, term: 2, confState: { voters: ['n1'] } }, data };
        },
      } as unknown as RaftNode;
      let read = 0;
      const compaction = new LogCompaction(
        5,
        () => node,
        storage,
        (work) => transactions.run(work),
        new SqlApplier(dataSource, new StateView(), { nodeId: 'n1' } as AppConfig),
        () => {
          read += 1;
        },
      );
      const untilRead = async (count: number) => {
        for (let waited = 0; read < count; waited += 20) {
          if (waited > 20_000) throw new Error('the snapshot was never read');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };

      // The view opens at 10 and is read in the background; meanwhile the loop installs the
      // leader's snapshot at 20.
      await compaction.afterReady(10);
      const install = ready({
        snapshot: snapshotOf(20, 1000),
        hardState: { term: 2, vote: undefined, commit: 20 },
      });
      await transactions.run((writer) => storage.write(writer, install));
      storage.persisted(install);
      compaction.installed(20);
      await untilRead(1);
      await compaction.betweenReadies();
      expect(compacted).toEqual([]);
      expect((await reloaded('racing')).snapshot().meta.index).toBe(20);

      // Five entries later the next one is read and stored.
      const append = ready({ entries: entries(21, 26) });
      await transactions.run((writer) => storage.write(writer, append));
      storage.persisted(append);
      await compaction.afterReady(26);
      await untilRead(2);
      await compaction.betweenReadies();
      expect(compacted).toEqual([26]);
      expect((await reloaded('racing')).snapshot().meta.index).toBe(26);
    });

    it('has no second connection to an in-memory SQLite database (dumped in place)', async () => {
      const memory = new DataSource(
        dataSourceOptions({ engine: 'sqlite', location: ':memory:', url: 'sqlite::memory:' }),
      );
      await memory.initialize();
      try {
        expect(await openStateReader(memory)).toBeUndefined();
      } finally {
        await memory.destroy();
      }
    });
  });
});
