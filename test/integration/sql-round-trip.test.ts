import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/config-center/src/database/data-source-options';
import { SqlTransactions, SqlWriter } from '../../apps/config-center/src/database/sql-writer';
import { UnsafeSqlValue } from '../../apps/config-center/src/database/sql-value';
import { parseDatabaseUrl } from '../../apps/config-center/src/env/app-config';
import { removeSuiteDatabase, suiteDatabaseUrl } from '../support/database';

/**
 * DESIGN 27: what the write path puts into SQL reads back identical. On MariaDB (the e2e-mysql
 * pass) the writer sends text it built itself (literals in one multi-statement packet); on
 * SQLite it binds parameters. The same properties hold on both, through the real writer and a
 * real database: any well-formed string and any bytes round-trip; a string with a lone
 * surrogate (no UTF-8 form) is refused before anything is sent, while its JSON text (what the
 * API stores for JSON values) round-trips. Cases are batched, one transaction per batch.
 */
const TABLE = 'sql_round_trip_probe';
const RUNS = 100;
const CASES_PER_RUN = 100; // RUNS x CASES_PER_RUN = 10,000 strings and 10,000 byte strings

const hostileText = fc.constantFrom(
  '',
  "'",
  "''",
  '\\',
  "\\'",
  "'\\",
  '\\\\',
  '"',
  '`',
  '?',
  '??',
  ';',
  '--',
  '/*',
  '*/',
  '#',
  '\0',
  '\\0',
  '\x1a',
  '\\Z',
  '\n',
  '\r\n',
  '\t\b\f\v',
  "'; DROP TABLE config; --",
  "\\'; SELECT 1; -- ",
  "X'00'",
  '%_',
  '\u0085\u2028\u2029',
  '\u00a0\ufeff',
  '\ufffd',
  '\uffff',
  'e\u0301',
  '\ud83d\ude00',
  '\u{10ffff}',
  '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}',
  '\ud800',
  '\udfff',
  '\ude00\ud83d',
  'a\ud83d',
);
/** Any UTF-16 code unit, lone surrogates included: every code point class, well-formed or not. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: fc.oneof(codeUnit, surrogate, hostileText), maxLength: 30 }),
  hostileText,
);

const hostileBytes = fc.constantFrom(
  [],
  [0x27],
  [0x5c],
  [0x5c, 0x27],
  [0x00],
  [0x1a],
  [0xff, 0xfe],
  [0xed, 0xa0, 0x80], // a surrogate in CESU-8: not UTF-8
  [0xc0, 0x80], // overlong NUL
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
);
const anyBytes = fc
  .oneof(
    fc.uint8Array({ maxLength: 64 }),
    hostileBytes.map((bytes) => Uint8Array.from(bytes)),
  )
  .map((bytes) => Buffer.from(bytes));

const wellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed(): boolean }).isWellFormed();

interface ProbeRow {
  id: number;
  text: string;
  text_again: string | null;
  bytes: Buffer;
  bytes_again: Buffer | null;
}

// 10,000 cases through a real database: seconds on MariaDB, more on a loaded machine.
jest.setTimeout(120_000);

describe('SQL built by the write path round-trips through the database (DESIGN 27)', () => {
  let dataSource: DataSource;
  let transactions: SqlTransactions;
  let engine: 'mysql' | 'sqlite';

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(parseDatabaseUrl(suiteDatabaseUrl())));
    await dataSource.initialize();
    transactions = new SqlTransactions(dataSource);
    engine = dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
    await dataSource.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await dataSource.query(
      engine === 'mysql'
        ? `CREATE TABLE ${TABLE} (id INT PRIMARY KEY, text MEDIUMTEXT NOT NULL, text_again MEDIUMTEXT NULL,
             bytes MEDIUMBLOB NOT NULL, bytes_again MEDIUMBLOB NULL)
           ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`
        : `CREATE TABLE ${TABLE} (id INTEGER PRIMARY KEY, text TEXT NOT NULL, text_again TEXT NULL,
             bytes BLOB NOT NULL, bytes_again BLOB NULL)`,
    );
  });

  afterAll(async () => {
    await dataSource?.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
    await transactions?.close();
    await dataSource?.destroy();
    removeSuiteDatabase();
  });

  /** One transaction: the rows through insertRows, then each value again through `?` placeholders. */
  async function writeBatch(rows: ReadonlyArray<[number, string, Buffer]>): Promise<void> {
    await transactions.run(async (writer: SqlWriter) => {
      // MariaDB: literals in text the writer builds; SQLite: bound parameters.
      expect(writer.literal === undefined).toBe(engine === 'sqlite');
      await writer.write(`DELETE FROM ${TABLE}`, []);
      await writer.dialect.insertRows(writer, TABLE, ['id', 'text', 'bytes'], rows);
      for (const [id, text, bytes] of rows)
        await writer.write(`UPDATE ${TABLE} SET text_again = ?, bytes_again = ? WHERE id = ?`, [
          text,
          bytes,
          id,
        ]);
    });
  }

  async function readBack(): Promise<ProbeRow[]> {
    return (await dataSource.query(
      `SELECT id, text, text_again, bytes, bytes_again FROM ${TABLE} ORDER BY id`,
    )) as ProbeRow[];
  }

  it('writes any string and any bytes, reads them back identical; refuses lone surrogates and writes nothing', async () => {
    let stored = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(anyText, anyBytes), {
          minLength: CASES_PER_RUN,
          maxLength: CASES_PER_RUN,
        }),
        async (cases) => {
          const rows: Array<[number, string, Buffer]> = [];
          for (const [text, bytes] of cases) {
            // The API stores JSON values as JSON text: always well-formed, always identical.
            rows.push([rows.length, JSON.stringify(text), bytes]);
            if (wellFormed(text)) rows.push([rows.length, text, bytes]);
          }
          await writeBatch(rows);
          const read = await readBack();
          expect(read.map((row) => Number(row.id))).toEqual(rows.map(([id]) => id));
          for (const [index, [, text, bytes]] of rows.entries()) {
            const row = read[index];
            const where = `row ${index}: ${JSON.stringify(text)} / ${bytes.toString('hex')}`;
            expect({ where, text: row.text, again: row.text_again }).toEqual({
              where,
              text,
              again: text,
            });
            expect({ where, bytes: Buffer.from(row.bytes).toString('hex') }).toEqual({
              where,
              bytes: bytes.toString('hex'),
            });
            expect(Buffer.from(row.bytes_again ?? []).equals(bytes)).toBe(true);
          }
          stored += cases.length;

          // A string with no UTF-8 form is refused before anything is sent, on either path.
          const before = read.length;
          for (const [text, bytes] of cases) {
            if (wellFormed(text)) continue;
            await expect(
              transactions.run((writer) =>
                writer.dialect.insertRows(
                  writer,
                  TABLE,
                  ['id', 'text', 'bytes'],
                  [[before + 1, text, bytes]],
                ),
              ),
            ).rejects.toThrow(UnsafeSqlValue);
            await expect(
              transactions.run((writer) =>
                writer.write(`UPDATE ${TABLE} SET text_again = ? WHERE id = ?`, [text, 0]),
              ),
            ).rejects.toThrow(UnsafeSqlValue);
            refused++;
          }
          const after = await readBack();
          expect(after.length).toBe(before);
          expect(after[0]?.text_again).toBe(rows[0][1]);
        },
      ),
      { numRuns: RUNS },
    );
    expect(stored).toBeGreaterThanOrEqual(10_000);
    // The generators do reach the refusal (about one case in ten holds a lone surrogate).
    expect(refused).toBeGreaterThan(100);
  });
});
