import { Socket } from 'node:net';
import { Connection, createConnection, RowDataPacket } from 'mysql2';

/**
 * The lock's name: lock names are server-wide, so it names the database (two nodes on one
 * server hold two locks). MySQL refuses names over 64 characters: a long database name is
 * hashed.
 */
const LOCK_NAME_SQL =
  "CONCAT('cc:', IF(CHAR_LENGTH(DATABASE()) > 61, MD5(DATABASE()), DATABASE()))";

export interface LockHolder {
  session: number;
  /** A session this process opened (an old one, which the server has not yet seen die). */
  ours: boolean;
}

/** One dedicated session on the database server that may hold the node's named lock. */
export interface LockConnection {
  readonly lockName: string;
  /** GET_LOCK without waiting: true when this session holds the lock now. */
  tryLock(): Promise<boolean>;
  /** The session holding the lock now, if any. */
  holder(): Promise<LockHolder | null>;
  /** Ends a session of ours that still holds the lock. */
  killSession(sessionId: number): Promise<void>;
  ping(): Promise<void>;
  /** Called when the session ends or fails on its own (not after `close`). */
  onLost(listener: (error: Error) => void): void;
  close(): void;
}

function query<T extends RowDataPacket>(connection: Connection, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) =>
    connection.query<T[]>(sql, (error, rows) => (error ? reject(error) : resolve(rows))),
  );
}

/**
 * The session's socket keeps the process alive only while a command is in flight: an idle lock
 * never holds a stopping process, and any exit releases it.
 */
class InFlight {
  private count = 0;

  constructor(private readonly socket: Socket) {
    socket.unref();
  }

  async run<T>(command: () => Promise<T>): Promise<T> {
    if (this.count++ === 0) this.socket.ref();
    try {
      return await command();
    } finally {
      if (--this.count === 0) this.socket.unref();
    }
  }
}

class Mysql2LockConnection implements LockConnection {
  private closed = false;
  private readonly listeners: Array<(error: Error) => void> = [];
  private readonly inFlight: InFlight;
  lockName = '';

  constructor(
    private readonly connection: Connection,
    /** A second lock, held with the node's, that tells this process's sessions from others. */
    private readonly ownerMark: string,
  ) {
    this.inFlight = new InFlight((connection as unknown as { stream: Socket }).stream);
    const lost = (error: Error) => {
      if (this.closed) return;
      this.closed = true;
      for (const listener of this.listeners) listener(error);
    };
    connection.on('error', lost);
    connection.on('end', () => lost(new Error('the server closed the lock connection')));
  }

  private async row(sql: string): Promise<RowDataPacket> {
    const [row] = await this.inFlight.run(() => query<RowDataPacket>(this.connection, sql));
    return row;
  }

  async readLockName(): Promise<void> {
    this.lockName = String((await this.row(`SELECT ${LOCK_NAME_SQL} AS name`)).name);
  }

  async tryLock(): Promise<boolean> {
    const { acquired } = await this.row(`SELECT GET_LOCK(${LOCK_NAME_SQL}, 0) AS acquired`);
    if (acquired === null) throw new Error(`GET_LOCK(${this.lockName}) failed`);
    if (Number(acquired) !== 1) return false;
    await this.row(`SELECT GET_LOCK(${this.ownerMark}, 0) AS marked`);
    return true;
  }

  async holder(): Promise<LockHolder | null> {
    const { holder, marked } = await this.row(
      `SELECT IS_USED_LOCK(${LOCK_NAME_SQL}) AS holder, IS_USED_LOCK(${this.ownerMark}) AS marked`,
    );
    if (holder === null) return null;
    return { session: Number(holder), ours: holder === marked };
  }

  async killSession(sessionId: number): Promise<void> {
    if (!Number.isSafeInteger(sessionId)) throw new Error(`not a session id: ${sessionId}`);
    await this.inFlight.run(() => query(this.connection, `KILL CONNECTION ${sessionId}`));
  }

  ping(): Promise<void> {
    return this.inFlight.run(
      () =>
        new Promise<void>((resolve, reject) =>
          this.connection.ping((error) => (error ? reject(error) : resolve())),
        ),
    );
  }

  onLost(listener: (error: Error) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.closed = true;
    this.connection.destroy();
  }
}

/** Opens a session of its own for the node's lock. */
export async function connectForLock(
  url: string,
  ownerToken: string,
  connectTimeoutMs: number,
): Promise<LockConnection> {
  const connection = createConnection({
    uri: url,
    enableKeepAlive: true,
    connectTimeout: connectTimeoutMs,
  });
  // Until the adapter listens: an error before the handshake rejects `connect` instead.
  connection.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) =>
      connection.connect((error) => (error ? reject(error) : resolve())),
    );
    const session = new Mysql2LockConnection(connection, `'cc-owner:${ownerToken}'`);
    await session.readLockName();
    return session;
  } catch (error) {
    connection.destroy();
    throw error;
  }
}
