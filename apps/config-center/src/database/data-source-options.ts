import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { DataSourceOptions } from 'typeorm';
import { DatabaseSettings } from '../env/app-config';
import { ENTITIES } from './entities';
import { mysqlDriver } from './mysql-session';
import { InitialSchema1732600000000 } from './migrations/1732600000000-initial-schema';
import { RaftSnapshot1732700000000 } from './migrations/1732700000000-raft-snapshot';
import { LeanWriteIndexes1732800000000 } from './migrations/1732800000000-lean-write-indexes';
import { RaftSnapshotChunks1732900000000 } from './migrations/1732900000000-raft-snapshot-chunks';
import { ScopedIdempotency1733100000000 } from './migrations/1733100000000-scoped-idempotency';
import { AccessTokens1733200000000 } from './migrations/1733200000000-access-tokens';
import { Audit1733300000000 } from './migrations/1733300000000-audit';

export const MIGRATIONS = [
  InitialSchema1732600000000,
  RaftSnapshot1732700000000,
  LeanWriteIndexes1732800000000,
  RaftSnapshotChunks1732900000000,
  ScopedIdempotency1733100000000,
  AccessTokens1733200000000,
  Audit1733300000000,
];

/**
 * One source of truth for both engines. Migrations run at start; `synchronize` is never on:
 * the schema is what the migrations say, on every engine.
 */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  if (settings.engine === 'sqlite') {
    if (settings.location !== ':memory:')
      mkdirSync(dirname(settings.location), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: settings.location,
      // WAL + synchronous=FULL: a COMMIT is on disk before it returns, so an acknowledged
      // write survives kill -9 and power loss.
      prepareDatabase: (db: Database.Database) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        db.pragma('busy_timeout = 5000');
      },
    };
  }
  return {
    ...common,
    type: 'mysql',
    driver: mysqlDriver,
    connectorPackage: 'mysql2',
    url: settings.location,
    timezone: 'Z',
    charset: 'utf8mb4_bin',
    supportBigNumbers: true,
    bigNumberStrings: false,
    extra: { connectionLimit: 16, waitForConnections: true, enableKeepAlive: true },
  };
}
