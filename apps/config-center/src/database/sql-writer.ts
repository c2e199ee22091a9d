import { Logger } from '@nestjs/common';
import { Connection, ResultSetHeader, createConnection } from 'mysql2';
import { DataSource, EntityManager } from 'typeorm';
import { formatMysql, mysqlLiteral } from './mysql-literal';
import { pinSessionSqlMode } from './mysql-session';
import { SqlDialect } from './sql-dialect';
import { sqliteParameter } from './sql-value';

/**
 * The statements of one write transaction (a Ready, a group commit). `write` is for statements
 * whose only result is "it did not fail": a writer may hold them back and send them together.
 * `run` and `select` need an answer now, so they send what is held back first, in order.
 */
export interface SqlWriter {
  readonly dialect: SqlDialect;
  /**
   * A value as an SQL literal, when this writer sends text (then `write` takes no parameters).
   * Throws UnsafeSqlValue for anything but the SqlValue types (DESIGN 27).
   */
  readonly literal?: (value: unknown) => string;
  write(sql: string, parameters: readonly unknown[]): Promise<void>;
  /** Answers how many rows the statement touched. */
  run(sql: string, parameters: readonly unknown[]): Promise<number>;
  select<T>(sql: string, parameters: readonly unknown[]): Promise<T[]>;
}

/**
 * Runs every statement at once on a TypeORM transaction (SQLite: no round trip to save). Values
 * are bound parameters, through the same gate as the MySQL literals (sqliteParameter).
 */
export class EntityManagerSqlWriter implements SqlWriter {
  readonly dialect: SqlDialect;

  constructor(private readonly manager: EntityManager) {
    this.dialect = SqlDialect.of(manager);
  }

  async write(sql: string, parameters: readonly unknown[]): Promise<void> {
    await this.manager.query(sql, parameters.map(sqliteParameter));
  }

  async run(sql: string, parameters: readonly unknown[]): Promise<number> {
    const runner = this.manager.queryRunner;
    if (!runner) throw new Error('EntityManagerSqlWriter needs a transactional EntityManager');
    const result = await runner.query(sql, parameters.map(sqliteParameter), true);
    return result.affected ?? 0;
  }

  async select<T>(sql: string, parameters: readonly unknown[]): Promise<T[]> {
    return (await this.manager.query(sql, parameters.map(sqliteParameter))) as T[];
  }
}

/** Placeholders filled by our own literals (DESIGN 27), never by mysql2's generic escape. */
const formatSql = (sql: string, parameters: readonly unknown[]): string =>
  parameters.length > 0 ? formatMysql(sql, parameters) : sql;

/**
 * One query on mysql2's callback API: its promise wrapper captures a stack trace per query,
 * which cost more than the query's own JavaScript on this path.
 */
function query<T>(connection: Connection, sql: string, values?: readonly unknown[]): Promise<T> {
  return new Promise((resolve, reject) =>
    connection.query(sql, values === undefined ? undefined : [...values], (error, results) =>
      error ? reject(error) : resolve(results as T),
    ),
  );
}

/** Held-back SQL is sent before it passes this size, well below MySQL's 16 MiB max_allowed_packet. */
const MAX_PACKET_BYTES = 8 * 1024 * 1024;

/** Bytes of `text` in UTF-8, or an upper bound for short text (3 per UTF-16 unit). */
const utf8Bound = (text: string): number =>
  text.length < 65_536 ? text.length * 3 : Buffer.byteLength(text, 'utf8');

/**
 * MySQL: the whole transaction in as few round trips as possible. Statements are formatted
 * (escaped) here and sent as ONE multi-statement packet: `START TRANSACTION; ...; COMMIT`.
 * Each round trip costs a socket write and a wake-up on both sides; with ~7 statements a
 * Ready that was most of a follower's database time.
 */
class MysqlBatchWriter implements SqlWriter {
  readonly dialect = new SqlDialect('mysql');
  private held: string[] = [];
  private heldBytes = 0;
  private started = false;

  constructor(private readonly connection: Connection) {}

  readonly literal = mysqlLiteral;

  async write(sql: string, parameters: readonly unknown[]): Promise<void> {
    const statement = formatSql(sql, parameters);
    // A statement that would take the packet past the limit goes in the next one.
    if (this.heldBytes > 0 && this.heldBytes + utf8Bound(statement) > MAX_PACKET_BYTES)
      await this.send();
    this.hold(statement);
  }

  async run(sql: string, parameters: readonly unknown[]): Promise<number> {
    this.hold(formatSql(sql, parameters));
    const results = await this.send();
    return results[results.length - 1]?.affectedRows ?? 0;
  }

  async select<T>(sql: string, parameters: readonly unknown[]): Promise<T[]> {
    if (this.held.length > 0) await this.send();
    return query<T[]>(this.connection, sql, parameters);
  }

  async commit(): Promise<void> {
    if (!this.started && this.held.length === 0) return;
    this.held.push('COMMIT');
    await this.send();
  }

  async rollback(): Promise<void> {
    this.held = [];
    if (this.started) await query(this.connection, 'ROLLBACK');
  }

  private hold(statement: string): void {
    if (!this.started && this.held.length === 0) this.held.push('START TRANSACTION');
    this.held.push(statement);
    this.heldBytes += utf8Bound(statement);
  }

  /** Sends what is held back in one packet; answers one result per statement. */
  private async send(): Promise<ResultSetHeader[]> {
    const text = this.held.join(';\n');
    const count = this.held.length;
    this.held = [];
    this.heldBytes = 0;
    this.started = true;
    const results = await query<ResultSetHeader | ResultSetHeader[]>(this.connection, text);
    if (count === 1) return [results as ResultSetHeader];
    return results as ResultSetHeader[];
  }
}

/**
 * Write transactions for the log and the state machine. On MySQL they run on one dedicated
 * connection that accepts multi-statement packets (only this class sends them, and only SQL
 * whose values went through mysqlLiteral, DESIGN 27; the pool refuses them, mysql-session.ts);
 * on SQLite, on TypeORM's connection, with bound parameters. One transaction at a time: callers
 * (the Raft loop, the single-node group commit) are serial anyway, the queue makes it a rule.
 */
export class SqlTransactions {
  private readonly logger = new Logger('SqlTransactions');
  private connection?: Promise<Connection>;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (writer: SqlWriter) => Promise<T>): Promise<T> {
    const result = this.tail.then(() => this.runNow(work));
    this.tail = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    const open = connection ? await connection.catch(() => undefined) : undefined;
    if (open) await new Promise<void>((resolve) => open.end(() => resolve()));
  }

  private async runNow<T>(work: (writer: SqlWriter) => Promise<T>): Promise<T> {
    if (this.dataSource.options.type !== 'mysql')
      return this.dataSource.transaction((manager) => work(new EntityManagerSqlWriter(manager)));
    const connection = await this.mysqlConnection();
    const writer = new MysqlBatchWriter(connection);
    try {
      const result = await work(writer);
      await writer.commit();
      return result;
    } catch (error) {
      await writer.rollback().catch(() => this.drop(connection));
      throw error;
    }
  }

  private mysqlConnection(): Promise<Connection> {
    if (!this.connection) {
      const options = this.dataSource.options;
      if (options.type !== 'mysql' || !options.url) throw new Error('MySQL needs a url');
      const connection = createConnection({
        uri: options.url,
        multipleStatements: true,
        charset: 'utf8mb4_bin',
        timezone: 'Z',
        enableKeepAlive: true,
        // mysql2 scans every query for placeholders, even one without values: ours are formatted
        // already, and a Ready's packet is tens of KB.
        queryFormat: ((sql: string, values?: unknown[]) =>
          formatSql(sql, values ?? [])) as unknown as (query: string, values: unknown) => void,
      });
      pinSessionSqlMode(connection);
      connection.on('error', (error: Error) => {
        this.logger.warn({ err: error }, 'write connection lost; the next write reconnects');
        void this.drop(connection);
      });
      const opening = new Promise<Connection>((resolve, reject) =>
        connection.connect((error) => (error ? reject(error) : resolve(connection))),
      );
      this.connection = opening;
      opening.catch(() => {
        if (this.connection === opening) this.connection = undefined;
      });
    }
    return this.connection;
  }

  private async drop(connection: Connection): Promise<void> {
    if (this.connection && (await this.connection.catch(() => undefined)) === connection)
      this.connection = undefined;
    connection.destroy();
  }
}
