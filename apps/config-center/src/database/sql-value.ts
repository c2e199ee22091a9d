import { isWellFormed } from '../common/unicode';

/**
 * DESIGN 27: the only values the SQL we build ourselves may carry. Anything else is a bug in
 * the caller (an object would become mysql2's `` `k`='v' `` list, NaN a bare word, undefined a
 * NULL nobody chose), so it is refused before any text is built or any parameter bound.
 */
export type SqlValue = string | number | boolean | null | Buffer | Date;

/** A value the write path refused to put into SQL; the transaction it was part of is rolled back. */
export class UnsafeSqlValue extends TypeError {
  constructor(
    /** What was refused, for the log: its type, never its content. */
    readonly refused: string,
    reason: string,
  ) {
    super(`refused to write ${refused} into SQL: ${reason}`);
    this.name = 'UnsafeSqlValue';
  }
}

/** A statement whose `?` placeholders do not match its values one to one. */
export class SqlPlaceholderMismatch extends TypeError {
  constructor(placeholders: number, values: number) {
    super(`statement has ${placeholders} placeholders for ${values} values`);
    this.name = 'SqlPlaceholderMismatch';
  }
}

/**
 * `value` when it may go into SQL, else UnsafeSqlValue. Strings must be well-formed UTF-16: a
 * lone surrogate has no UTF-8 form, and the driver would store U+FFFD in its place, so the
 * database would hold another string than the one in memory and in the log. The API never
 * hands one over: JSON values are JSON text (JSON.stringify writes `\udXXX`), and free-text
 * fields refuse them (40001).
 */
export function checkedSqlValue(value: unknown): SqlValue {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value))
        throw new UnsafeSqlValue('a string', 'it holds a lone surrogate (not valid Unicode)');
      return value;
    case 'number':
      if (!Number.isFinite(value))
        throw new UnsafeSqlValue(String(value), 'only finite numbers have an SQL literal');
      return value;
    case 'boolean':
      return value;
    case 'object':
      if (value === null || Buffer.isBuffer(value)) return value;
      if (value instanceof Date) {
        const year = value.getUTCFullYear();
        if (Number.isNaN(year) || year < 0 || year > 9999)
          throw new UnsafeSqlValue('a date', 'it is invalid or outside the years 0-9999');
        return value;
      }
      return refuse(Array.isArray(value) ? 'an array' : `an object (${nameOf(value)})`);
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      return refuse(typeof value);
  }
}

function refuse(what: string): never {
  throw new UnsafeSqlValue(
    what,
    'only strings, finite numbers, booleans, null, Buffers and dates go into SQL',
  );
}

const nameOf = (value: object): string =>
  (value.constructor as { name?: string } | undefined)?.name ?? 'no prototype';

/** A date as DATETIME(3) text in UTC, the form both engines store (see sqlTime). */
export const sqlDateText = (date: Date): string =>
  date.toISOString().slice(0, 23).replace('T', ' ');

/**
 * A value as better-sqlite3 binds it, through the same gate as the MySQL literals, so both
 * engines take exactly the SqlValue types (SQLite has no booleans or dates of its own).
 */
export function sqliteParameter(value: unknown): string | number | Buffer | null {
  const checked = checkedSqlValue(value);
  if (typeof checked === 'boolean') return checked ? 1 : 0;
  return checked instanceof Date ? sqlDateText(checked) : checked;
}
