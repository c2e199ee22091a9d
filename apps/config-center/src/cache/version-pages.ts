import { VersionListRow } from '../version/version-reads';

/** A page's field in its key's `cc:vpages:{ns}:{key}` hash (the hash's other field is `since`). */
export const versionPageField = (page: number, pageSize: number) => `${page}:${pageSize}`;

interface StoredRow {
  version: number;
  value: string;
  created_by: string | null;
  created_at: string;
  revision: number;
  kept: number;
}

/** A version-list page as Redis holds it: the rows the API answers, and the list's total. */
export function versionPageJson(rows: readonly VersionListRow[], total: number): string {
  const stored: StoredRow[] = rows.map((row) => ({
    version: row.version,
    value: row.value,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    revision: row.revision,
    kept: row.kept,
  }));
  return JSON.stringify({ rows: stored, total });
}

export function parseVersionPage(text: string): [VersionListRow[], number] {
  const { rows, total } = JSON.parse(text) as { rows: StoredRow[]; total: number };
  return [
    rows.map((row) => ({
      version: row.version,
      value: row.value,
      createdBy: row.created_by,
      createdAt: new Date(row.created_at),
      revision: row.revision,
      kept: row.kept,
    })),
    total,
  ];
}

/** What the database's OCTET_LENGTH answers for each value on the page (the stored UTF-8). */
export function versionPageSizes(rows: readonly VersionListRow[]): number[] {
  return rows.map((row) => Buffer.byteLength(row.value, 'utf8'));
}
