import { Connection, createConnection } from 'mysql2';
import { SESSION_SQL_MODE } from './mysql-session';

/** A server that does not answer the handshake in this time is treated as away. */
const CONNECT_TIMEOUT_MS = 3_000;

const serverStarted = new WeakMap<Connection, number>();

/** When the server started (Unix seconds, ±1): tells a restarted server from the same one. */
export function serverStartedAt(connection: Connection): Promise<number> {
  return new Promise((resolve, reject) =>
    connection.query(
      "SELECT UNIX_TIMESTAMP() - VARIABLE_VALUE AS started FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME'",
      (error, rows) =>
        error ? reject(error) : resolve(Number((rows as Array<{ started: unknown }>)[0]?.started)),
    ),
  );
}

/**
 * Opens the write connection: connected, then its session pinned, before anything else is sent.
 * (mysql2 never calls `connect`'s callback when the server refuses and a query was queued
 * before the handshake: the query takes the error. A write path opened that way waited forever
 * once the database had restarted; issue 16.)
 */
export async function openMysqlWriteConnection(
  url: string,
  formatSql: (sql: string, values: readonly unknown[]) => string,
): Promise<Connection> {
  const connection = createConnection({
    uri: url,
    multipleStatements: true,
    charset: 'utf8mb4_bin',
    timezone: 'Z',
    enableKeepAlive: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // mysql2 scans every query for placeholders, even one without values: ours are formatted
    // already, and a Ready's packet is tens of KB.
    queryFormat: ((sql: string, values?: unknown[]) => formatSql(sql, values ?? [])) as unknown as (
      query: string,
      values: unknown,
    ) => void,
  });
  // Until the caller installs its own: an error now must not be an uncaught 'error' event.
  const early = (): void => undefined;
  connection.on('error', early);
  try {
    await new Promise<void>((resolve, reject) =>
      connection.connect((error) => (error ? reject(error) : resolve())),
    );
    await new Promise<void>((resolve, reject) =>
      connection.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}'`, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    serverStarted.set(connection, await serverStartedAt(connection));
  } catch (error) {
    connection.destroy();
    throw error;
  } finally {
    connection.off('error', early);
  }
  return connection;
}

export interface ServerSession {
  threadId: number;
  serverStartedAt: number;
}

/**
 * The write connection as SqlTransactions uses it: one query at a time, and `abandon`, which
 * settles the query in flight at once as a lost connection. mysql2's `destroy` never answers a
 * query in flight, and a server that stops answering without closing the socket (SIGSTOP, a
 * partition) would hold the write transaction, and every one queued behind it, forever.
 */
export class WriteConnection {
  private readonly inFlight = new Set<(error: Error) => void>();
  private lost?: Error;

  constructor(readonly raw: Connection) {}

  /** Its session on the server: which one, on which run of the server. */
  get session(): ServerSession {
    return { threadId: this.raw.threadId, serverStartedAt: serverStarted.get(this.raw) ?? 0 };
  }

  /** True while a query waits for the server. */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  query<T>(sql: string, values?: readonly unknown[]): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise<T>((resolve, reject) => {
      const settle = (error: Error | null, results?: unknown): void => {
        if (!this.inFlight.delete(abandon)) return;
        if (error) reject(error);
        else resolve(results as T);
      };
      const abandon = (error: Error): void => settle(error);
      this.inFlight.add(abandon);
      // The callback API: mysql2's promise wrapper captures a stack trace per query, which cost
      // more than the query's own JavaScript on this path.
      this.raw.query(sql, values === undefined ? undefined : [...values], settle);
    });
  }

  /**
   * Gives the connection up: the queries in flight fail as on a lost connection. Answers
   * whether any was in flight (then its session may still run on the server).
   */
  abandon(reason: string): boolean {
    const busy = this.busy;
    this.lost ??= Object.assign(new Error(`write connection abandoned: ${reason}`), {
      code: 'PROTOCOL_CONNECTION_LOST',
      fatal: true,
    });
    for (const abandon of [...this.inFlight]) abandon(this.lost);
    this.raw.destroy();
    return busy;
  }
}
