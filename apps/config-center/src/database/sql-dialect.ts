import { EntityManager } from 'typeorm';

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

  /** Multi-row INSERT, chunked so no statement exceeds `rowsPerStatement` rows. */
  async insertRows(
    manager: EntityManager,
    table: string,
    columns: readonly string[],
    rows: ReadonlyArray<readonly unknown[]>,
    rowsPerStatement = 100,
  ): Promise<void> {
    const head = `INSERT INTO ${this.id(table)} (${columns.map((c) => this.id(c)).join(', ')}) VALUES `;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    for (let start = 0; start < rows.length; start += rowsPerStatement) {
      const chunk = rows.slice(start, start + rowsPerStatement);
      await manager.query(head + chunk.map(() => tuple).join(', '), chunk.flat());
    }
  }
}

/** DATETIME(3) text in UTC, the form both engines store and TypeORM reads back. */
export function sqlTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
