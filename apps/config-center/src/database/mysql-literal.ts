import { escape } from 'mysql2';

/**
 * Characters that cannot stand as they are inside a single-quoted MySQL literal (with the
 * default sql_mode, where backslash escapes). mysql2's escape also escapes `"`, tab and
 * backspace, which never need it: with JSON values every string took its slow path.
 */
// eslint-disable-next-line no-control-regex -- NUL and ctrl-Z are exactly what must be escaped
const UNSAFE = /[\0\n\r\x1a'\\]/;
// eslint-disable-next-line no-control-regex -- as above
const UNSAFE_ALL = /[\0\n\r\x1a'\\]/g;
const REPLACEMENTS: Readonly<Record<string, string>> = {
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\x1a': '\\Z',
  "'": "\\'",
  '\\': '\\\\',
};
const replace = (char: string): string => REPLACEMENTS[char];

/**
 * A value as a MySQL literal, for the text the write path builds itself (SqlWriter.literal):
 * the common types directly, anything else (dates, arrays, objects) by mysql2's escape.
 */
export function mysqlLiteral(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return UNSAFE.test(value) ? `'${value.replace(UNSAFE_ALL, replace)}'` : `'${value}'`;
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'NULL';
    case 'object':
    case 'function':
    case 'symbol':
      if (value === null) return 'NULL';
      if (Buffer.isBuffer(value)) return `X'${value.toString('hex')}'`;
      // Dates in UTC, as the connection's own escape did (timezone 'Z').
      return escape(value as Parameters<typeof escape>[0], false, 'Z');
  }
}
