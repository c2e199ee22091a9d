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

/** A page read back: its rows, the list's total, and the log index its read began at. */
export interface VersionPage {
  rows: VersionListRow[];
  total: number;
  readIndex: number;
}

/**
 * A version-list page as Redis holds it: the rows the API answers, the list's total, and the log
 * index its read began at (a node that applied a later change of the list does not trust it).
 */
export function versionPageJson(
  rows: readonly VersionListRow[],
  total: number,
  readIndex: number,
): string {
  const stored: StoredRow[] = rows.map((row) => ({
    version: row.version,
    value: row.value,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    revision: row.revision,
    kept: row.kept,
  }));
  return JSON.stringify({ rows: stored, total, read_index: readIndex });
}

export function parseVersionPage(text: string): VersionPage {
  const stored = JSON.parse(text) as { rows: StoredRow[]; total: number; read_index: number };
  return {
    rows: stored.rows.map((row) => ({
      version: row.version,
      value: row.value,
      createdBy: row.created_by,
      createdAt: new Date(row.created_at),
      revision: row.revision,
      kept: row.kept,
    })),
    total: stored.total,
    readIndex: stored.read_index,
  };
}

/** What the database's OCTET_LENGTH answers for each value on the page (the stored UTF-8). */
export function versionPageSizes(rows: readonly VersionListRow[]): number[] {
  return rows.map((row) => Buffer.byteLength(row.value, 'utf8'));
}
