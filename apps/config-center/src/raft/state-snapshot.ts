import { gunzipSync, gzipSync } from 'node:zlib';
import { EntityManager } from 'typeorm';
import {
  ConfigHistoryRow,
  ConfigRow,
  ConfigVersionRow,
  IdempotencyRow,
  NamespaceRow,
} from '../database/entities';

/** The tables that make up the state machine, in foreign-key order. */
const TABLES = [
  NamespaceRow,
  ConfigRow,
  ConfigVersionRow,
  ConfigHistoryRow,
  IdempotencyRow,
] as const;
type Row = NamespaceRow | ConfigRow | ConfigVersionRow | ConfigHistoryRow | IdempotencyRow;
const INSERT_CHUNK = 200;

interface SnapshotDocument {
  format: 1;
  tables: Record<string, Array<Record<string, unknown>>>;
}

const DATE_COLUMNS = new Set(['createdAt', 'updatedAt']);

/** Everything the state machine wrote, as of the transaction `manager` belongs to. */
export async function dumpState(manager: EntityManager): Promise<Uint8Array> {
  const document: SnapshotDocument = { format: 1, tables: {} };
  for (const table of TABLES) {
    const rows = (await manager.find(table as new () => Row)) as unknown as Array<
      Record<string, unknown>
    >;
    document.tables[table.name] = rows;
  }
  return gzipSync(Buffer.from(JSON.stringify(document)));
}

/** Replaces the state machine's tables with a snapshot's (InstallSnapshot on a follower). */
export async function restoreState(manager: EntityManager, data: Uint8Array): Promise<void> {
  const document = JSON.parse(gunzipSync(Buffer.from(data)).toString('utf8')) as SnapshotDocument;
  for (const table of [...TABLES].reverse())
    await manager.createQueryBuilder().delete().from(table).execute();
  for (const table of TABLES) {
    const rows = (document.tables[table.name] ?? []).map((row) => {
      const revived: Record<string, unknown> = { ...row };
      for (const column of DATE_COLUMNS)
        if (typeof revived[column] === 'string')
          revived[column] = new Date(revived[column] as string);
      return revived;
    });
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await manager.insert(
        table as new () => Row,
        rows.slice(start, start + INSERT_CHUNK) as never,
      );
    }
  }
}
