import { DatabaseSettings } from '../../env/app-config';
import { DataInUse, NodeDataLock } from './data-lock';
import { lockMysqlData } from './mysql-data-lock';
import { lockSqliteData } from './sqlite-data-lock';

/*
 * One process per node (issue 16): a node holds an exclusive lock on its data for as long as
 * it runs, taken before migrations and before it listens. The lock lives in the kernel (SQLite)
 * or in the database server's session (MySQL), so any exit releases it, kill -9 included.
 */

export interface NodeDataLockOptions {
  /**
   * The lock was lost and another process holds it now (MySQL, after a dropped connection): the
   * caller must stop this node at once rather than run two writers on one database.
   */
  onTakenOver: (error: DataInUse) => void;
}

/** The database as a message may name it: a MySQL URL without its password. */
export function describeData(settings: DatabaseSettings): string {
  if (settings.engine === 'sqlite') return settings.location;
  const url = new URL(settings.location);
  url.password = '';
  return url.toString();
}

/** Takes the lock or throws DataInUse at once (no waiting: the other process may run for days). */
export function lockNodeData(
  settings: DatabaseSettings,
  options: NodeDataLockOptions,
): Promise<NodeDataLock> {
  if (settings.engine === 'sqlite') return Promise.resolve(lockSqliteData(settings.location));
  return lockMysqlData(settings.location, describeData(settings), options.onTakenOver);
}
