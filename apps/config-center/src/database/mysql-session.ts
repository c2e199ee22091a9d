import * as mysql2 from 'mysql2';
import type { Connection, Pool, PoolOptions } from 'mysql2';

/**
 * The sql_mode of every connection we open, whatever the server's global default. Our SQL
 * escapes with backslashes (mysql2's formatter and `mysqlLiteral` alike): on a server set to
 * NO_BACKSLASH_ESCAPES a value ending in a backslash would end its literal early, and the rest
 * of the value would be read as SQL. Strict mode makes a value too long for its column an error
 * instead of a silent truncation. Valid on MySQL 5.7 and 8 and on MariaDB 10 and 11.
 */
export const SESSION_SQL_MODE =
  'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

/** Runs first on `connection` (commands queue); a connection that cannot take it is dropped. */
export function pinSessionSqlMode(connection: Connection): void {
  connection.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}'`, (error) => {
    if (error) connection.destroy();
  });
}

/**
 * mysql2 for TypeORM's pool, every new connection pinned to SESSION_SQL_MODE. The pool never
 * takes multi-statement packets, whatever the options or the URL say: only the write
 * connection (SqlTransactions) sends them, and only text it built from checked literals.
 */
export const mysqlDriver = {
  ...mysql2,
  createPool(options: PoolOptions): Pool {
    const pool = mysql2.createPool({ ...options, multipleStatements: false });
    pool.on('connection', (connection) => pinSessionSqlMode(connection));
    return pool;
  },
};
