/** Human output: aligned tables and field lists. `--json` bypasses all of this. */

export interface Column<Row> {
  header: string;
  value: (row: Row) => unknown;
}

const MAX_CELL_CHARS = 60;

/** One cell: strings as they are, other values as compact JSON, absent as `-`, one line. */
export function cell(value: unknown, maxChars = MAX_CELL_CHARS): string {
  let text: string;
  if (value === undefined || value === null || value === '') text = '-';
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = JSON.stringify(value);
  // A value with a newline would break the rows; show it escaped.
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\x00-\x1f\x7f]/g, (char) => JSON.stringify(char).slice(1, -1));
  return [...text].length > maxChars ? `${[...text].slice(0, maxChars - 3).join('')}...` : text;
}

const width = (text: string): number => [...text].length;
const pad = (text: string, size: number): string => text + ' '.repeat(size - width(text));

/** Columns separated by two spaces, header first; `(none)` for no rows. */
export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(width(column.header), ...cells.map((line) => width(line[index]))),
  );
  const render = (line: readonly string[]) =>
    line
      .map((text, index) => (index === line.length - 1 ? text : pad(text, widths[index])))
      .join('  ');
  return [render(columns.map((column) => column.header)), ...cells.map(render)].join('\n');
}

/** `field: value` lines, names aligned; values are cells unless `full` (then pretty JSON). */
export function fields(entries: ReadonlyArray<[string, unknown]>, full = false): string {
  const size = Math.max(...entries.map(([name]) => width(name))) + 1;
  return entries
    .map(([name, value]) => {
      const text =
        full && typeof value === 'object' && value !== null
          ? JSON.stringify(value, null, 2).replace(/\n/g, `\n${' '.repeat(size + 1)}`)
          : cell(value, Number.MAX_SAFE_INTEGER);
      return `${pad(`${name}:`, size)} ${text}`;
    })
    .join('\n');
}
