import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DataInUse, NodeDataLock } from './data-lock';

/**
 * Locks held by this process. better-sqlite3 closes a connection that is garbage collected,
 * which would drop its lock: the module keeps every held one reachable until `release`.
 */
const held = new Set<Database.Database>();

/** The lock file beside a SQLite database file. */
export function sqliteLockFile(databaseFile: string): string {
  return `${databaseFile}.lock`;
}

/**
 * Node has no flock: the lock is a small SQLite database beside the data, written once with
 * `locking_mode=EXCLUSIVE`, so its connection keeps the file's EXCLUSIVE lock (an fcntl lock,
 * which the kernel drops when the process dies) until it closes. Another process fails at once
 * with SQLITE_BUSY (busy timeout 0). An in-memory database is private to its process: no lock.
 */
export function lockSqliteData(databaseFile: string): NodeDataLock {
  if (databaseFile === ':memory:')
    return { name: databaseFile, held: true, release: async () => undefined };
  const file = sqliteLockFile(databaseFile);
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // No journal file beside the lock file: it holds nothing worth a rollback.
    db.pragma('journal_mode = MEMORY');
    db.exec(
      'BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER, since TEXT); ' +
        'DELETE FROM holder; COMMIT',
    );
    db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(
      process.pid,
      new Date().toISOString(),
    );
  } catch (error) {
    db.close();
    if (/^SQLITE_BUSY/.test((error as { code?: string }).code ?? ''))
      throw new DataInUse(databaseFile, `${file} is locked`);
    throw error;
  }
  held.add(db);
  return {
    name: file,
    // A kernel lock: held until the process ends or releases it.
    held: true,
    release: async () => {
      if (held.delete(db)) db.close();
    },
  };
}
