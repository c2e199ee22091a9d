import { SqlPlaceholderMismatch, checkedSqlValue, sqlDateText } from './sql-value';

/**
 * Characters that cannot stand as they are inside a single-quoted MySQL literal (with the
 * session's sql_mode, where backslash escapes: see mysql-session.ts). mysql2's escape also
 * escapes `"`, tab and backspace, which never need it: with JSON values every string took its
 * slow path.
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
 * A value as a MySQL literal, for the text the write path builds itself (DESIGN 27). Buffers
 * are hex literals, dates UTC DATETIME(3) text; anything but the SqlValue types is refused
 * with UnsafeSqlValue (checkedSqlValue), never handed to a generic escaper.
 */
export function mysqlLiteral(value: unknown): string {
  const checked = checkedSqlValue(value);
  if (typeof checked === 'string')
    return UNSAFE.test(checked) ? `'${checked.replace(UNSAFE_ALL, replace)}'` : `'${checked}'`;
  if (typeof checked === 'number') return String(checked);
  if (typeof checked === 'boolean') return checked ? 'true' : 'false';
  if (checked === null) return 'NULL';
  if (Buffer.isBuffer(checked)) return `X'${checked.toString('hex')}'`;
  return `'${sqlDateText(checked)}'`;
}

/**
 * `sql` with each `?` replaced by the literal of the next value, in order. Our statements
 * carry no `?` but their placeholders (values travel only as values), so a count that does not
 * match is a bug: refused rather than left half formatted.
 */
export function formatMysql(sql: string, values: readonly unknown[]): string {
  let text = '';
  let from = 0;
  for (let i = 0; i < values.length; i++) {
    const at = sql.indexOf('?', from);
    if (at < 0) throw new SqlPlaceholderMismatch(i, values.length);
    text += sql.slice(from, at) + mysqlLiteral(values[i]);
    from = at + 1;
  }
  if (sql.indexOf('?', from) >= 0)
    throw new SqlPlaceholderMismatch(sql.split('?').length - 1, values.length);
  return text + sql.slice(from);
}
