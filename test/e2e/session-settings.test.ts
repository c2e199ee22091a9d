import { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
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

  /**
   * DESIGN 27: multi-statement packets only on the write connection, which sends text it built
   * from checked literals; every pooled connection (reads, snapshot readers, TypeORM) refuses
   * one, even when the options ask for it. SQLite never takes them (better-sqlite3 refuses).
   */
  it('takes multi-statement queries on the write connection only', async () => {
    const twoStatements = 'SELECT 1 AS one; SELECT 2 AS two';
    const runners: QueryRunner[] = [];
    const asking = new DataSource({
      ...dataSourceOptions(parseDatabaseUrl(suiteDatabaseUrl())),
      migrationsRun: false,
      extra: { connectionLimit: 2, multipleStatements: true },
    } as DataSourceOptions);
    try {
      for (let i = 0; i < 3; i++) {
        const runner = dataSource.createQueryRunner();
        await runner.connect();
        runners.push(runner);
      }
      for (const runner of runners) await expect(runner.query(twoStatements)).rejects.toThrow();
      await expect(dataSource.query(twoStatements)).rejects.toThrow();
      await asking.initialize();
      await expect(asking.query(twoStatements)).rejects.toThrow();
      expect(await asking.query('SELECT 3 AS three')).toEqual([{ three: 3 }]);

      const onWriter = transactions.run((writer) => writer.select<unknown>(twoStatements, []));
      if (dataSource.options.type === 'mysql') {
        const [first, second] = (await onWriter) as unknown as Array<Array<Record<string, number>>>;
        expect([first, second]).toEqual([[{ one: 1 }], [{ two: 2 }]]);
      } else {
        await expect(onWriter).rejects.toThrow(/more than one statement/);
      }
    } finally {
      for (const runner of runners) await runner.release();
      if (asking.isInitialized) await asking.destroy();
    }
  });
});
