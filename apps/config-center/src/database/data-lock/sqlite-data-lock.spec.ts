import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataInUse } from './data-lock';
import { lockSqliteData, sqliteLockFile } from './sqlite-data-lock';

describe('the SQLite data lock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cc-data-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Tries the lock from another process: what it prints. */
  const tryFromAnotherProcess = (file: string): string =>
    execFileSync(
      process.execPath,
      [
        '-e',
        `const Database = require('better-sqlite3');
         try {
           const db = new Database(process.argv[1], { timeout: 0 });
           db.exec('BEGIN EXCLUSIVE; COMMIT');
           console.log('locked');
         } catch (error) { console.log(error.code); }`,
        file,
      ],
      { encoding: 'utf8' },
    ).trim();

  it('keeps another process out of the lock file until released', async () => {
    const data = join(dir, 'nested', 'node.sqlite');
    const lock = lockSqliteData(data);
    expect(lock.name).toBe(sqliteLockFile(data));
    const started = Date.now();
    expect(tryFromAnotherProcess(lock.name)).toBe('SQLITE_BUSY');
    expect(Date.now() - started).toBeLessThan(5000);
    await lock.release();
    expect(tryFromAnotherProcess(lock.name)).toBe('locked');
  });

  it('refuses a second lock on the same data, naming it', async () => {
    const data = join(dir, 'node.sqlite');
    const lock = lockSqliteData(data);
    expect(() => lockSqliteData(data)).toThrow(
      new DataInUse(data, `${sqliteLockFile(data)} is locked`),
    );
    await lock.release();
    await lockSqliteData(data).release();
  });

  it('leaves an in-memory database unlocked', async () => {
    const first = lockSqliteData(':memory:');
    await lockSqliteData(':memory:').release();
    await first.release();
  });
});
