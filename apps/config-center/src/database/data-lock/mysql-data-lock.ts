import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataInUse, NodeDataLock } from './data-lock';
import { connectForLock, LockConnection } from './mysql-lock-connection';

export interface ServerLockTiming {
  /** A ping this often keeps the session (and so the lock) from timing out as idle. */
  pingMs: number;
  /** A ping unanswered this long: the session is dropped and the lock taken back on a new one. */
  pingTimeoutMs: number;
  /** Between attempts to reach the database again after the session was lost. */
  retryMs: number;
  /** Attempts to reach the database at start (like TypeORM's retries), `retryMs` apart. */
  startAttempts: number;
}

export const SERVER_LOCK_TIMING: ServerLockTiming = {
  pingMs: 5_000,
  pingTimeoutMs: 10_000,
  retryMs: 1_000,
  startAttempts: 3,
};

/** While the database stays away, one warning this often (not one per attempt). */
const UNREACHABLE_LOG_EVERY_MS = 30_000;

type LogSink = Pick<Logger, 'log' | 'warn' | 'fatal'>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Holds the node's named lock on the database server (GET_LOCK on a dedicated session). The
 * server releases it when the session ends, so a lost session means a lost lock: the keeper
 * takes it back on a new session, and if another process holds it by then, it calls
 * `onTakenOver` and stops (the node must not run a second writer on the database). While the
 * database is unreachable it keeps trying (DESIGN 23: a failing dependency never kills a node).
 */
export class ServerLockKeeper implements NodeDataLock {
  private current: LockConnection | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  /** The session with a ping in flight (a ping to a dropped session may never answer). */
  private pinging: LockConnection | undefined;
  private released = false;

  private constructor(
    private readonly connect: () => Promise<LockConnection>,
    private readonly data: string,
    private readonly onTakenOver: (error: DataInUse) => void,
    private readonly timing: ServerLockTiming,
    private readonly logger: LogSink,
    readonly name: string,
  ) {}

  /** Takes the lock or throws DataInUse; fails when the database cannot be reached at all. */
  static async take(
    connect: () => Promise<LockConnection>,
    data: string,
    onTakenOver: (error: DataInUse) => void,
    timing: ServerLockTiming = SERVER_LOCK_TIMING,
    logger: LogSink = new Logger('NodeDataLock'),
  ): Promise<ServerLockKeeper> {
    let connection: LockConnection | undefined;
    for (let attempt = 1; !connection; attempt++) {
      try {
        connection = await connect();
      } catch (error) {
        if (attempt >= timing.startAttempts) throw error;
        await sleep(timing.retryMs);
      }
    }
    try {
      if (!(await connection.tryLock())) {
        throw new DataInUse(data, await heldBy(connection));
      }
    } catch (error) {
      connection.close();
      throw error;
    }
    const keeper = new ServerLockKeeper(
      connect,
      data,
      onTakenOver,
      timing,
      logger,
      connection.lockName,
    );
    keeper.hold(connection);
    return keeper;
  }

  get held(): boolean {
    return !this.released && this.current !== undefined;
  }

  async release(): Promise<void> {
    this.released = true;
    clearInterval(this.pingTimer);
    this.current?.close();
    this.current = undefined;
  }

  private hold(connection: LockConnection): void {
    this.current = connection;
    connection.onLost((error) => this.lost(connection, error));
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.ping(connection), this.timing.pingMs).unref();
  }

  private ping(connection: LockConnection): void {
    if (this.pinging === connection) return;
    this.pinging = connection;
    const timeout = setTimeout(
      () =>
        this.lost(connection, new Error(`no answer to a ping in ${this.timing.pingTimeoutMs} ms`)),
      this.timing.pingTimeoutMs,
    ).unref();
    connection
      .ping()
      .catch((error: Error) => this.lost(connection, error))
      .finally(() => {
        clearTimeout(timeout);
        if (this.pinging === connection) this.pinging = undefined;
      });
  }

  private lost(connection: LockConnection, error: Error): void {
    if (this.released || this.current !== connection) return;
    this.current = undefined;
    clearInterval(this.pingTimer);
    connection.close();
    this.logger.warn(
      `the session holding the data lock ${this.name} was lost (${error.message}); taking the lock back`,
    );
    void this.takeBack();
  }

  private async takeBack(): Promise<void> {
    let lastWarning = Date.now();
    while (!this.released) {
      let connection: LockConnection;
      try {
        connection = await this.connect();
      } catch (error) {
        if (Date.now() - lastWarning >= UNREACHABLE_LOG_EVERY_MS) {
          lastWarning = Date.now();
          this.logger.warn(
            `data lock ${this.name}: database unreachable (${(error as Error).message})`,
          );
        }
        await sleep(this.timing.retryMs);
        continue;
      }
      try {
        if (await connection.tryLock()) {
          if (this.released) return connection.close();
          this.hold(connection);
          this.logger.log(`data lock ${this.name} taken back`);
          return;
        }
        const holder = await connection.holder();
        // Our old session, still alive on the server (it has not noticed the network drop yet).
        if (holder?.ours) {
          await connection.killSession(holder.session);
          connection.close();
          continue;
        }
        connection.close();
        // Released in between: try again at once.
        if (holder === null) continue;
        this.released = true;
        const taken = new DataInUse(
          this.data,
          `lock ${this.name} is held by session ${holder.session}`,
        );
        this.logger.fatal(`${taken.message}; stopping so that only one process writes to it`);
        this.onTakenOver(taken);
        return;
      } catch (error) {
        connection.close();
        this.logger.warn(`data lock ${this.name}: ${(error as Error).message}`);
        await sleep(this.timing.retryMs);
      }
    }
  }
}

async function heldBy(connection: LockConnection): Promise<string> {
  const holder = await connection.holder();
  return `lock ${connection.lockName} is held by session ${holder?.session ?? 'unknown'}`;
}

/** The node's MySQL lock, on a session of its own. */
export function lockMysqlData(
  url: string,
  data: string,
  onTakenOver: (error: DataInUse) => void,
): Promise<NodeDataLock> {
  const ownerToken = randomBytes(16).toString('hex');
  return ServerLockKeeper.take(
    () => connectForLock(url, ownerToken, SERVER_LOCK_TIMING.pingTimeoutMs),
    data,
    onTakenOver,
  );
}
