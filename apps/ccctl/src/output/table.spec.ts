import { cell, fields, table } from './table';

describe('ccctl human output', () => {
  it('aligns columns under their headers, two spaces apart, the last column unpadded', () => {
    const rows = [
      { id: 'node-1', leader: true },
      { id: 'n2', leader: false },
    ];
    expect(
      table(rows, [
        { header: 'ID', value: (row) => row.id },
        { header: 'LEADER', value: (row) => row.leader },
      ]),
    ).toBe(['ID      LEADER', 'node-1  true', 'n2      false'].join('\n'));
  });

  it('says (none) for no rows', () => {
    expect(table([], [{ header: 'ID', value: () => 1 }])).toBe('(none)');
  });

  it('shows absent values as -, objects as compact JSON, and keeps a cell on one line', () => {
    expect(cell(null)).toBe('-');
    expect(cell(undefined)).toBe('-');
    expect(cell('')).toBe('-');
    expect(cell({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(cell('two\nlines\tand\u0007bell')).toBe('two\\nlines\\tand\\u0007bell');
  });

  it('cuts long cells at a character boundary (not inside a surrogate pair)', () => {
    const text = cell('😀'.repeat(100), 10);
    expect([...text]).toHaveLength(10);
    expect(text.endsWith('...')).toBe(true);
    expect(text.startsWith('😀'.repeat(7))).toBe(true);
  });

  it('lists fields with aligned names; full mode pretty-prints objects, indented', () => {
    expect(
      fields(
        [
          ['key', 'db'],
          ['value', { a: 1 }],
        ],
        true,
      ),
    ).toBe(['key:   db', 'value: {', '         "a": 1', '       }'].join('\n'));
    expect(fields([['long', 'x'.repeat(100)]])).toBe(`long: ${'x'.repeat(100)}`);
  });
});
