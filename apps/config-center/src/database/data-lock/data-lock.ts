/** An exclusive lock on a node's data, held until `release` or the end of the process. */
export interface NodeDataLock {
  /** What is locked, for messages: the SQLite lock file, or the MySQL lock name. */
  readonly name: string;
  /**
   * False while the lock is being taken back (MySQL: its session was lost with the database).
   * The write path writes only while it is true (SqlTransactions.requireLock).
   */
  readonly held: boolean;
  release(): Promise<void>;
}

/** Another process holds the data of this node. */
export class DataInUse extends Error {
  constructor(data: string, detail: string) {
    super(`the data of this node (${data}) is in use by another process (${detail})`);
  }
}
