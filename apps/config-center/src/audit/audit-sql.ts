import { sqlTime } from '../database/sql-dialect';

/** WHERE clauses and their parameters, built from trusted column names and bound values. */
export class WhereClause {
  private readonly parts: string[] = [];
  readonly parameters: unknown[] = [];

  constructor(private readonly quote: string) {}

  id(name: string): string {
    return `${this.quote}${name}${this.quote}`;
  }

  equals(column: string, value: unknown): this {
    this.parts.push(`${this.id(column)} = ?`);
    this.parameters.push(value);
    return this;
  }

  notEquals(column: string, value: unknown): this {
    this.parts.push(`${this.id(column)} <> ?`);
    this.parameters.push(value);
    return this;
  }

  oneOf(column: string, values: readonly unknown[]): this {
    if (values.length === 0) this.parts.push('1 = 0');
    else {
      this.parts.push(`${this.id(column)} IN (${values.map(() => '?').join(', ')})`);
      this.parameters.push(...values);
    }
    return this;
  }

  /** Free SQL over trusted column names, with its own parameters. */
  raw(sql: string, parameters: readonly unknown[]): this {
    this.parts.push(sql);
    this.parameters.push(...parameters);
    return this;
  }

  timeRange(column: string, from: number | undefined, to: number | undefined): this {
    if (from !== undefined) this.raw(`${this.id(column)} >= ?`, [sqlTime(from)]);
    if (to !== undefined) this.raw(`${this.id(column)} <= ?`, [sqlTime(to)]);
    return this;
  }

  toString(): string {
    return this.parts.length === 0 ? '' : ` WHERE ${this.parts.join(' AND ')}`;
  }
}
