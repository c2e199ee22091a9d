import { DataSource, QueryRunner } from 'typeorm';
import { dataSourceOptions } from '../../apps/config-center/src/database/data-source-options';
import { SESSION_SQL_MODE } from '../../apps/config-center/src/database/mysql-session';
import { SqlTransactions } from '../../apps/config-center/src/database/sql-writer';
import { parseDatabaseUrl } from '../../apps/config-center/src/env/app-config';
import { suiteDatabaseUrl } from '../support/database';

/**
 * The session settings the storage code depends on hold on every connection it opens,
 * whatever the server's defaults: on MySQL the sql_mode (backslash escapes, strict columns),
 * on SQLite the durability and integrity pragmas.
 */
describe('database session settings', () => {
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
  });

  it('holds on pooled connections and on the write connection', async () => {
    // Several pooled connections at once, so more than the one the pool opened first.
    const runners: QueryRunner[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const runner = dataSource.createQueryRunner();
        await runner.connect();
        runners.push(runner);
      }
      if (dataSource.options.type === 'mysql') {
        for (const runner of runners) {
          const [row] = (await runner.query('SELECT @@SESSION.sql_mode AS mode')) as Array<{
            mode: string;
          }>;
          expect(row.mode).toBe(SESSION_SQL_MODE);
        }
        const [written] = await transactions.run((writer) =>
          writer.select<{ mode: string }>('SELECT @@SESSION.sql_mode AS mode', []),
        );
        expect(written.mode).toBe(SESSION_SQL_MODE);
        // Backslash-escaped literals mean what they say: quotes and a trailing backslash survive.
        const [echo] = await transactions.run((writer) =>
          writer.select<{ text: string }>('SELECT ? AS text', ["it's \\ a 'quote'\\"]),
        );
        expect(echo.text).toBe("it's \\ a 'quote'\\");
      } else {
        for (const runner of runners) {
          const pragma = async (name: string): Promise<unknown> =>
            Object.values(((await runner.query(`PRAGMA ${name}`)) as object[])[0])[0];
          expect(await pragma('journal_mode')).toBe('wal');
          expect(await pragma('synchronous')).toBe(2); // FULL
          expect(await pragma('foreign_keys')).toBe(1);
        }
      }
    } finally {
      for (const runner of runners) await runner.release();
    }
  });
});
