/** An exclusive lock on a node's data, held until `release` or the end of the process. */
export interface NodeDataLock {
  /** What is locked, for messages: the SQLite lock file, or the MySQL lock name. */
  readonly name: string;
  release(): Promise<void>;
}

/** Another process holds the data of this node. */
export class DataInUse extends Error {
  constructor(data: string, detail: string) {
    super(`the data of this node (${data}) is in use by another process (${detail})`);
  }
}
