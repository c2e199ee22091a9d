import { Logger } from '@nestjs/common';
import { ResultSetHeader } from 'mysql2';
import { DataSource, EntityManager } from 'typeorm';
import { AbandonedSessions } from './abandoned-sessions';
import { formatMysql, mysqlLiteral } from './mysql-literal';
import { openMysqlWriteConnection, WriteConnection } from './mysql-write-connection';
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
  started = false;
  /** The COMMIT is on the wire: from here a lost connection leaves the outcome unknown. */
  commitSent = false;

  constructor(private readonly connection: WriteConnection) {}

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
    return this.connection.query<T[]>(sql, parameters);
  }

  async commit(): Promise<void> {
    if (!this.started && this.held.length === 0) return;
    this.held.push('COMMIT');
    this.commitSent = true;
    await this.send();
  }

  async rollback(): Promise<void> {
    this.held = [];
    if (this.started) await this.connection.query('ROLLBACK');
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
    const results = await this.connection.query<ResultSetHeader | ResultSetHeader[]>(text);
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
  private connection?: Promise<WriteConnection>;
  /** The write connection once open, to abandon it when it stops answering. */
  private open?: WriteConnection;
  private readonly abandoned = new AbandonedSessions();
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
   *
   * On MySQL its time starts at the call, before it waits behind a transaction: a server that
   * stops answering without closing the socket (SIGSTOP, a partition) holds that transaction
   * forever. Past the timeout the path is marked down (writes fail fast with 50301) and a query
   * still waiting on the write connection is given up as a lost connection: not applied before
   * its COMMIT, in doubt during it. On SQLite (no server to lose) it starts at its turn.
   */
  probe(timeoutMs: number): Promise<number> {
    if (this.engine !== 'mysql')
      return this.serially(() => this.settleProbe(this.probeNow(), timeoutMs));
    return this.settleProbe(
      this.serially(() => this.probeNow()),
      timeoutMs,
    );
  }

  private async probeNow(): Promise<number> {
    const started = performance.now();
    if (this.engine === 'mysql') {
      const connection = await this.mysqlConnection();
      await connection.query('SELECT 1');
      await this.abandoned.end(connection);
    } else await this.dataSource.query('SELECT 1');
    if (!this.lockHeld()) throw new Error(LOCK_LOST);
    return performance.now() - started;
  }

  private async settleProbe(check: Promise<number>, timeoutMs: number): Promise<number> {
    // A check that answers after its timeout is ignored (the next probe decides).
    check.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      const latency = await Promise.race([
        check,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const silent = new Error(`no answer in ${timeoutMs} ms`);
            this.writePath.markDown(silent);
            this.abandonWaiting(silent);
            reject(silent);
          }, timeoutMs);
        }),
      ]);
      this.writePath.markUp();
      return latency;
    } catch (error) {
      this.writePath.markDown(error as Error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The write connection is given up if a query on it waits for the server. */
  private abandonWaiting(silent: Error): void {
    const open = this.open;
    if (!open?.busy) return;
    this.logger.warn(
      `the database did not answer the write connection (${silent.message}); giving it up`,
    );
    if (this.open === open) this.open = undefined;
    this.connection = undefined;
    this.giveUp(open, silent.message);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.open = undefined;
    const open = connection ? await connection.catch(() => undefined) : undefined;
    if (open) await new Promise<void>((resolve) => open.raw.end(() => resolve()));
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async runNow<T>(work: (writer: SqlWriter) => Promise<T>): Promise<T> {
    if (this.engine !== 'mysql')
      return this.dataSource.transaction((manager) => work(new EntityManagerSqlWriter(manager)));
    // Queued before the path went down: refused like those that came after.
    if (!this.writePath.available) throw this.writePath.unavailable();
    let connection: WriteConnection;
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
      // Lost on this side only (a partition, a timeout): its transaction may still run there.
      if (writer.started) this.abandoned.add(connection.session);
      void this.drop(connection);
      throw writer.commitSent ? new CommitInDoubt(error as Error) : this.writePath.unavailable();
    }
  }

  private mysqlConnection(): Promise<WriteConnection> {
    if (!this.connection) {
      const options = this.dataSource.options;
      if (options.type !== 'mysql' || !options.url) throw new Error('MySQL needs a url');
      const opening = openMysqlWriteConnection(options.url, formatSql).then((raw) => {
        const connection = new WriteConnection(raw);
        raw.on('error', (error: Error) => {
          this.logger.warn({ err: error }, 'write connection lost; writes wait for a probe');
          this.writePath.markDown(error);
          void this.drop(connection);
        });
        if (this.connection === opening) this.open = connection;
        return connection;
      });
      this.connection = opening;
      opening.catch(() => {
        if (this.connection === opening) this.connection = undefined;
      });
    }
    return this.connection;
  }

  private giveUp(connection: WriteConnection, reason: string): void {
    if (connection.abandon(reason)) this.abandoned.add(connection.session);
  }

  private async drop(connection: WriteConnection): Promise<void> {
    this.giveUp(connection, 'dropped');
    if (this.open === connection) this.open = undefined;
    if (this.connection && (await this.connection.catch(() => undefined)) === connection)
      this.connection = undefined;
  }
}
