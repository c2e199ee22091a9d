import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/config-center/src/database/data-source-options';
import { IdempotencyRow } from '../../apps/config-center/src/database/entities';
import { SqlTransactions } from '../../apps/config-center/src/database/sql-writer';
import { parseDatabaseUrl } from '../../apps/config-center/src/env/app-config';
import { CommandOutcome } from '../../apps/config-center/src/state/commands';
import { SqlStateTransaction } from '../../apps/config-center/src/state/sql-state-transaction';
import { removeSuiteDatabase, suiteDatabaseUrl } from '../support/database';
import { uniqueName } from '../support/names';

const HOUR = 3600 * 1000;

/**
 * The idempotency_record table on the real engine: the scoping migration keeps rows of before
 * readable (scope '', no fingerprint), and a key reused after its record expired replaces it
 * in the same multi-row INSERT (a composite-key upsert on both engines).
 */
describe('idempotency record storage', () => {
  let dataSource: DataSource;
  let transactions: SqlTransactions;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(parseDatabaseUrl(suiteDatabaseUrl())));
    await dataSource.initialize();
    transactions = new SqlTransactions(dataSource);
  });
  afterAll(async () => {
    await transactions?.close();
    await dataSource?.destroy();
    removeSuiteDatabase();
  });

  const outcome = (revision: number): CommandOutcome => ({
    ok: true,
    revision,
    value: { revision },
  });
  const find = (scope: string, key: string, newerThan: number) =>
    transactions.run((writer) =>
      new SqlStateTransaction(writer, 'n1').findOutcome({ scope, key }, newerThan),
    );
  const remember = (
    scope: string,
    key: string,
    fingerprint: string,
    revision: number,
    at: number,
  ) =>
    transactions.run(async (writer) => {
      const tx = new SqlStateTransaction(writer, 'n1');
      await tx.rememberOutcome({ scope, key }, fingerprint, outcome(revision), at);
      await tx.flush();
    });

  it('keeps rows written before scoping readable, under scope "" and no fingerprint', async () => {
    const q = dataSource.options.type === 'mysql' ? '`' : '"';
    for (let undone = ''; undone !== 'ScopedIdempotency1733100000000';) {
      const [last] = (await dataSource.query(
        'SELECT name FROM migrations ORDER BY id DESC LIMIT 1',
      )) as Array<{ name: string }>;
      undone = last.name;
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    const key = uniqueName('legacy');
    await dataSource.query(
      `INSERT INTO ${q}idempotency_record${q} (${q}request_id${q}, ${q}revision${q}, ${q}result${q}, ${q}created_at${q}) VALUES (?, ?, ?, ?)`,
      [key, 3, JSON.stringify(outcome(3)), '2026-12-01 10:00:00.000'],
    );
    await dataSource.runMigrations({ transaction: 'each' });

    const row = await dataSource.getRepository(IdempotencyRow).findOneBy({ requestId: key });
    expect(row).toMatchObject({ scope: '', requestId: key, fingerprint: null, revision: 3 });
    expect(await find('', key, 0)).toEqual({ outcome: outcome(3), fingerprint: null });
    // A scoped request with the same key is another record.
    expect(await find('anonymous POST /api/v1/admin/config', key, 0)).toBeUndefined();
  });

  it('answers a record only inside its window, and a reuse after it replaces the record', async () => {
    const scope = 'anonymous POST /api/v1/admin/config';
    const key = uniqueName('window');
    const at = Date.parse('2026-12-01T10:00:00.000Z');
    await remember(scope, key, 'a'.repeat(64), 10, at);
    expect(await find(scope, key, at - 24 * HOUR)).toEqual({
      outcome: outcome(10),
      fingerprint: 'a'.repeat(64),
    });
    expect(await find(scope, key, at)).toBeUndefined();

    await remember(scope, key, 'b'.repeat(64), 20, at + 25 * HOUR);
    expect(await find(scope, key, at + HOUR)).toEqual({
      outcome: outcome(20),
      fingerprint: 'b'.repeat(64),
    });
    expect(await dataSource.getRepository(IdempotencyRow).countBy({ requestId: key })).toBe(1);
  });
});
