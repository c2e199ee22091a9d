import { escape } from 'mysql2';
import { formatMysql, mysqlLiteral } from './mysql-literal';
import { sqlTime } from './sql-dialect';
import { SqlPlaceholderMismatch, UnsafeSqlValue, sqliteParameter } from './sql-value';

describe('mysqlLiteral', () => {
  it('writes what mysql2 writes for every value that needs no quote-only difference', () => {
    const same: unknown[] = [
      'plain',
      '',
      "it's",
      'back\\slash',
      'nul\0byte',
      'line\nbreak\r',
      'ctrl-z\x1a',
      'ünïcødé 😀',
      0,
      -12,
      1.5,
      null,
      true,
      false,
      Buffer.from([0, 1, 254, 255]),
      new Date(Date.UTC(2026, 10, 27, 8, 0, 0, 5)),
    ];
    for (const value of same)
      expect(mysqlLiteral(value)).toBe(escape(value as Parameters<typeof escape>[0], false, 'Z'));
  });

  it('leaves double quotes, tabs and backspaces as they are (they need no escape in single quotes)', () => {
    expect(mysqlLiteral('{"v":1}')).toBe(`'{"v":1}'`);
    expect(mysqlLiteral('a\tb\bc')).toBe("'a\tb\bc'");
    expect(mysqlLiteral(`{"q":"it's \\"x\\""}`)).toBe(`'{"q":"it\\'s \\\\"x\\\\""}'`);
  });

  it('writes dates in UTC whatever the process time zone', () => {
    expect(mysqlLiteral(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 5)))).toBe(
      "'2026-01-01 00:00:00.005'",
    );
  });

  it('writes finite numbers exactly as JavaScript prints them', () => {
    for (const value of [-0, 5e-324, 1.7976931348623157e308, 2 ** 53, 0.1, 1e21, -1e-7])
      expect(mysqlLiteral(value)).toBe(String(value));
  });

  it('writes well-formed astral characters as they are', () => {
    expect(mysqlLiteral('\ud83d\ude00 \u{10ffff}')).toBe("'\ud83d\ude00 \u{10ffff}'");
  });
});

/** DESIGN 27: everything but strings, finite numbers, booleans, null, Buffers and dates. */
const REFUSED: Array<[string, unknown]> = [
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['undefined', undefined],
  ['a plain object', { a: 1 }],
  ['an object that would become a `k`=v list', { 'id`=1 OR `x': "'" }],
  ['an object without prototype', Object.create(null) as object],
  ['an array', [1, 'two']],
  ['an empty array', []],
  ['a symbol', Symbol('s')],
  ['a function', () => 1],
  ['a bigint (no caller writes one)', 2n ** 62n],
  ['a Uint8Array that is not a Buffer', new Uint8Array([1, 2])],
  ['an invalid date', new Date(Number.NaN)],
  ['a date past year 9999', new Date(Date.UTC(10_000, 0, 1))],
  ['a boxed string', Object('text') as object],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', '\udc00'],
  ['surrogates in the wrong order', '\ude00\ud83d'],
];

describe.each([
  ['mysqlLiteral', mysqlLiteral],
  ['sqliteParameter', sqliteParameter],
])('%s refuses what has no safe SQL form', (_name, convert) => {
  it.each(REFUSED)('refuses %s with UnsafeSqlValue', (_what, value) => {
    expect(() => convert(value)).toThrow(UnsafeSqlValue);
  });

  it('names the type it refused, never the value', () => {
    expect(() => convert({ secret: 'hunter2' })).toThrow(/an object \(Object\)/);
    expect(() => convert({ secret: 'hunter2' })).not.toThrow(/hunter2/);
  });
});

describe('sqliteParameter', () => {
  it('binds what SQLite has no type for as the MySQL side writes it', () => {
    expect(sqliteParameter(true)).toBe(1);
    expect(sqliteParameter(false)).toBe(0);
    expect(sqliteParameter(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 5)))).toBe(
      '2026-01-01 00:00:00.005',
    );
    const bytes = Buffer.from([0, 255]);
    expect(sqliteParameter(bytes)).toBe(bytes);
    expect(sqliteParameter(null)).toBeNull();
    expect(sqliteParameter("it's")).toBe("it's");
  });
});

describe('formatMysql', () => {
  it('fills each placeholder with the literal of its value, in order', () => {
    expect(formatMysql('UPDATE t SET a = ?, b = ? WHERE id = ?', ["x'y", null, 7])).toBe(
      "UPDATE t SET a = 'x\\'y', b = NULL WHERE id = 7",
    );
  });

  it('leaves question marks inside the values alone', () => {
    expect(formatMysql('SELECT ?, ?', ['?', 'a?b'])).toBe("SELECT '?', 'a?b'");
  });

  it('refuses a statement whose placeholders do not match its values', () => {
    expect(() => formatMysql('SELECT ?, ?', [1])).toThrow(SqlPlaceholderMismatch);
    expect(() => formatMysql('SELECT ?', [1, 2])).toThrow(SqlPlaceholderMismatch);
  });

  it('refuses objects and arrays instead of writing mysql2 `k` = v lists', () => {
    expect(() => formatMysql('UPDATE t SET ? WHERE 1', [{ a: 1 }])).toThrow(UnsafeSqlValue);
    expect(() => formatMysql('SELECT * FROM t WHERE id IN (?)', [[1, 2]])).toThrow(UnsafeSqlValue);
  });
});

describe('sqlTime', () => {
  it('formats DATETIME(3) text in UTC like toISOString, across seconds and padding', () => {
    const base = Date.UTC(2026, 10, 27, 23, 59, 58, 0);
    for (const offset of [0, 1, 9, 10, 99, 100, 999, 1000, 1005, 2001, 86_400_000 + 7]) {
      const ms = base + offset;
      const expected = new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
      expect(sqlTime(ms)).toBe(expected);
    }
  });

  it('drops fractions of a millisecond instead of printing them', () => {
    expect(sqlTime(Date.UTC(2026, 0, 1, 0, 0, 0, 42) + 0.7)).toBe('2026-01-01 00:00:00.042');
  });
});
