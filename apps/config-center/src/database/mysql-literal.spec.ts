import { escape } from 'mysql2';
import { mysqlLiteral } from './mysql-literal';
import { sqlTime } from './sql-dialect';

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
      undefined,
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

  it('writes bigints as numbers', () => {
    expect(mysqlLiteral(2n ** 62n)).toBe('4611686018427387904');
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
