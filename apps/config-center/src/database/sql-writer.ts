import { Logger } from '@nestjs/common';
import { Connection, ResultSetHeader } from 'mysql2';
import { DataSource, EntityManager } from 'typeorm';
import { formatMysql, mysqlLiteral } from './mysql-literal';
import { openMysqlWriteConnection } from './mysql-write-connection';
import { SqlDialect } from './sql-dialect';
import { sqliteParameter } from './sql-value';
import { CommitInDoubt, isConnectionLoss, WritePathState } from './write-path';

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
  /** The COMMIT is on the wire: from here a lost connection leaves the outcome unknown. */
  commitSent = false;

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
    this.commitSent = true;
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

const LOCK_LOST = 'the data lock is not held (being taken back after its session dropped)';

/**
 * Write transactions for the log and the state machine. On MySQL they run on one dedicated
 * connection that accepts multi-statement packets (only this class sends them, and only SQL
 * whose values went through mysqlLiteral, DESIGN 27; the pool refuses them, mysql-session.ts);
 * on SQLite, on TypeORM's connection, with bound parameters. One transaction at a time: callers
 * (the Raft loop, the single-node group commit) are serial anyway, the queue makes it a rule.
 *
 * A lost connection marks the write path down (`writePath`): transactions then fail at once
 * with 50301 until a probe reaches the database again (DESIGN 23). A transaction that failed
 * before its COMMIT was sent is not applied (the server rolls it back); one whose COMMIT was
 * on the wire when the connection went fails with CommitInDoubt.
 */
export class SqlTransactions {
  private readonly logger = new Logger('SqlTransactions');
  private connection?: Promise<Connection>;
  private tail: Promise<unknown> = Promise.resolve();
  readonly writePath = new WritePathState();
  private lockHeld: () => boolean = () => true;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * The node's data lock (database/data-lock): after an outage the write path comes back only
   * once the lock is held again, so this node never writes while another process may hold it.
   */
  requireLock(held: () => boolean): void {
    this.lockHeld = held;
  }

  get engine(): 'mysql' | 'sqlite' {
    return this.dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
  }

  run<T>(work: (writer: SqlWriter) => Promise<T>): Promise<T> {
    // The lock session alone may drop (its pings time out) while this connection is fine:
    // another process may take the lock now, so nothing is written until a probe has it back.
    if (this.writePath.available && !this.lockHeld()) this.writePath.markDown(new Error(LOCK_LOST));
    if (!this.writePath.available) return Promise.reject(this.writePath.unavailable());
    return this.serially(() => this.runNow(work));
  }

  /**
   * One `SELECT 1` on the path writes use (the write connection, opened if it is not), in turn
   * with the transactions; marks the write path up or down. Answers its latency in ms.
   */
  probe(timeoutMs: number): Promise<number> {
    return this.serially(async () => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.engine === 'mysql'
            ? this.mysqlConnection().then((connection) => query(connection, 'SELECT 1'))
            : this.dataSource.query('SELECT 1'),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        if (!this.lockHeld()) throw new Error(LOCK_LOST);
      } catch (error) {
        this.writePath.markDown(error as Error);
        throw error;
      } finally {
        clearTimeout(timer);
      }
      this.writePath.markUp();
      return performance.now() - started;
    });
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    const open = connection ? await connection.catch(() => undefined) : undefined;
    if (open) await new Promise<void>((resolve) => open.end(() => resolve()));
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async runNow<T>(work: (writer: SqlWriter) => Promise<T>): Promise<T> {
    if (this.engine !== 'mysql')
      return this.dataSource.transaction((manager) => work(new EntityManagerSqlWriter(manager)));
    let connection: Connection;
    try {
      connection = await this.mysqlConnection();
    } catch (error) {
      this.writePath.markDown(error as Error);
      throw this.writePath.unavailable();
    }
    const writer = new MysqlBatchWriter(connection);
    try {
      const result = await work(writer);
      await writer.commit();
      return result;
    } catch (error) {
      if (!isConnectionLoss(error)) {
        await writer.rollback().catch(() => this.drop(connection));
        throw error;
      }
      this.writePath.markDown(error as Error);
      void this.drop(connection);
      throw writer.commitSent ? new CommitInDoubt(error as Error) : this.writePath.unavailable();
    }
  }

  private mysqlConnection(): Promise<Connection> {
    if (!this.connection) {
      const options = this.dataSource.options;
      if (options.type !== 'mysql' || !options.url) throw new Error('MySQL needs a url');
      const opening = openMysqlWriteConnection(options.url, formatSql).then((connection) => {
        connection.on('error', (error: Error) => {
          this.logger.warn({ err: error }, 'write connection lost; writes wait for a probe');
          this.writePath.markDown(error);
          void this.drop(connection);
        });
        return connection;
      });
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
