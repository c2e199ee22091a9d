import { EntityManager } from 'typeorm';
import type { SqlWriter } from './sql-writer';

/**
 * Hand-written SQL for the write hot path (apply, log append): TypeORM's insert() re-reads
 * every defaulted column after each INSERT, which cost ~1 ms a row. Same statements on both
 * engines; only identifier quoting differs (`key` and `index` are reserved words).
 */
export class SqlDialect {
  private readonly quoteChar: string;

  constructor(readonly engine: 'mysql' | 'sqlite') {
    this.quoteChar = engine === 'mysql' ? '`' : '"';
  }

  static of(manager: EntityManager): SqlDialect {
    return new SqlDialect(manager.connection.options.type === 'mysql' ? 'mysql' : 'sqlite');
  }

  /** A quoted identifier; an arrow so `const { id } = dialect` works. */
  readonly id = (name: string): string => `${this.quoteChar}${name}${this.quoteChar}`;

  /**
   * Multi-row INSERT in statements of at most ROWS_PER_STATEMENT rows and about
   * BYTES_PER_STATEMENT of string/blob data (MySQL's max_allowed_packet is 16 MiB by default).
   * With `upsertOn` (the key's column, or columns), a row whose key exists replaces the
   * stored one: `updateColumns`, or every other column.
   */
  async insertRows(
    writer: SqlWriter,
    table: string,
    columns: readonly string[],
    rows: ReadonlyArray<readonly unknown[]>,
    upsertOn?: string | readonly string[],
    updateColumns?: readonly string[],
  ): Promise<void> {
    const keyColumns: readonly string[] | undefined =
      typeof upsertOn === 'string' ? [upsertOn] : upsertOn;
    const head = `INSERT INTO ${this.id(table)} (${columns.map((c) => this.id(c)).join(', ')}) VALUES `;
    const tail = keyColumns
      ? this.upsertClause(
          updateColumns ?? columns.filter((c) => !keyColumns.includes(c)),
          keyColumns,
        )
      : '';
    // A writer that sends text takes values inline: no placeholder scan over hundreds of `?`.
    const literal = writer.literal;
    const placeholders = `(${columns.map(() => '?').join(', ')})`;
    for (const chunk of chunkRows(rows)) {
      if (!literal) {
        await writer.write(head + chunk.map(() => placeholders).join(', ') + tail, chunk.flat());
        continue;
      }
      // Plain concatenation: this runs for every row of every Ready on every node.
      let sql = head;
      for (let r = 0; r < chunk.length; r++) {
        const row = chunk[r];
        sql += r === 0 ? '(' : ', (';
        for (let c = 0; c < row.length; c++) sql += (c === 0 ? '' : ', ') + literal(row[c]);
        sql += ')';
      }
      await writer.write(sql + tail, []);
    }
  }

  private upsertClause(others: readonly string[], key: readonly string[]): string {
    if (this.engine === 'mysql') {
      return ` ON DUPLICATE KEY UPDATE ${others.map((c) => `${this.id(c)} = VALUES(${this.id(c)})`).join(', ')}`;
    }
    return ` ON CONFLICT(${key.map((c) => this.id(c)).join(', ')}) DO UPDATE SET ${others.map((c) => `${this.id(c)} = excluded.${this.id(c)}`).join(', ')}`;
  }
}

/** DATETIME(3) text in UTC, the form both engines store and TypeORM reads back. */
export function sqlTime(ms: number): string {
  // Rows of a batch carry timestamps a few ms apart: format each second once, then add the ms.
  if (ms === lastTime.ms) return lastTime.text;
  const whole = Math.floor(ms);
  const second = Math.floor(whole / 1000);
  if (second !== lastSecond.second) {
    lastSecond.second = second;
    lastSecond.text = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  const milli = whole - second * 1000;
  lastTime.ms = ms;
  lastTime.text = `${lastSecond.text}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}`;
  return lastTime.text;
}
const lastSecond = { second: Number.NaN, text: '' };
const lastTime = { ms: Number.NaN, text: '' };

const ROWS_PER_STATEMENT = 200;
const BYTES_PER_STATEMENT = 4 * 1024 * 1024;

function sizeOf(row: readonly unknown[]): number {
  let bytes = 0;
  for (const value of row) {
    if (typeof value === 'string') bytes += value.length * 3;
    // Written as hex (X'...'): two characters per byte.
    else if (Buffer.isBuffer(value)) bytes += value.length * 2;
    else bytes += 8;
  }
  return bytes;
}

function chunkRows<T extends readonly unknown[]>(rows: ReadonlyArray<T>): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (
      current.length > 0 &&
      (current.length >= ROWS_PER_STATEMENT || bytes + size > BYTES_PER_STATEMENT)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
