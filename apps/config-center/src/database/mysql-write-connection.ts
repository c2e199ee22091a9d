import { Connection, createConnection } from 'mysql2';
import { SESSION_SQL_MODE } from './mysql-session';

/** A server that does not answer the handshake in this time is treated as away. */
const CONNECT_TIMEOUT_MS = 3_000;

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
  } catch (error) {
    connection.destroy();
    throw error;
  } finally {
    connection.off('error', early);
  }
  return connection;
}
