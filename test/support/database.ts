import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The database every app of a suite uses: the run's DATABASE_URL (scripts/test.sh sets a SQLite
 * file or MariaDB), else one fresh SQLite file per suite. Suites share it, so tests never assume
 * an empty table and name their namespaces with `uniqueName`.
 */
let suiteDatabase: { url: string; dir?: string } | undefined;

export function suiteDatabaseUrl(): string {
  if (!suiteDatabase) {
    const fromEnv = process.env.DATABASE_URL;
    if (fromEnv) suiteDatabase = { url: fromEnv };
    else {
      const dir = mkdtempSync(join(tmpdir(), 'cc-e2e-'));
      suiteDatabase = { url: `sqlite:${join(dir, 'e2e.sqlite')}`, dir };
    }
  }
  return suiteDatabase.url;
}

/** Removes the suite's temp SQLite directory (when the suite made one). Call after every app closed. */
export function removeSuiteDatabase(): void {
  if (suiteDatabase?.dir) rmSync(suiteDatabase.dir, { recursive: true, force: true });
  suiteDatabase = undefined;
}
