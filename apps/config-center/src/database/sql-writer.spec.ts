import { ErrorCode } from '@cc/common';
import { DataSource } from 'typeorm';
import { SqlTransactions } from './sql-writer';
import { DatabaseUnreachable } from './write-path';

/** A SQLite data source that counts the transactions it is asked for. */
function countingDataSource(): { dataSource: DataSource; transactions: () => number } {
  let count = 0;
  const dataSource = {
    options: { type: 'better-sqlite3' },
    transaction: (work: (manager: unknown) => Promise<unknown>) => {
      count += 1;
      return work({ connection: { options: { type: 'better-sqlite3' } } });
    },
  } as unknown as DataSource;
  return { dataSource, transactions: () => count };
}

describe('SqlTransactions', () => {
  it('refuses to write (50301, path down) while the data lock is not held, and writes once it is', async () => {
    const { dataSource, transactions } = countingDataSource();
    const sql = new SqlTransactions(dataSource);
    let held = true;
    sql.requireLock(() => held);
    await expect(sql.run(() => Promise.resolve('first'))).resolves.toBe('first');

    held = false;
    const refused = await sql.run(() => Promise.resolve('never')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DatabaseUnreachable);
    expect((refused as DatabaseUnreachable).code).toBe(ErrorCode.UNAVAILABLE);
    expect(sql.writePath.available).toBe(false);
    expect(transactions()).toBe(1);

    held = true;
    sql.writePath.markUp();
    await expect(sql.run(() => Promise.resolve('again'))).resolves.toBe('again');
    expect(transactions()).toBe(2);
  });
});
