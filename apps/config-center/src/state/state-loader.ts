import { DataSource } from 'typeorm';
import {
  AccessTokenRow,
  ConfigRow,
  NamespaceRow,
  RaftLogRow,
  RaftStateRow,
} from '../database/entities';
import { ConfigRecord, NamespaceRecord, TokenRecord, TokenRole } from './records';

export interface LoadedState {
  appliedIndex: number;
  lastLogIndex: number;
  namespaces: NamespaceRecord[];
  configs: ConfigRecord[];
  tokens: TokenRecord[];
}

export function toTokenRecord(row: AccessTokenRow): TokenRecord {
  return {
    id: row.id,
    clientId: row.clientId,
    role: row.role as TokenRole,
    namespaces: JSON.parse(row.namespaces) as string[] | '*',
    secretHash: row.secretHash,
    previousHash: row.previousHash,
    previousValidUntil: row.previousValidUntil,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    createdBy: row.createdBy,
    revision: row.revision,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  };
}

export function toNamespaceRecord(row: NamespaceRow): NamespaceRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    revision: row.revision,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  };
}

export function toConfigRecord(row: ConfigRow): ConfigRecord {
  const deleted = row.deleted === 1;
  return {
    id: row.id,
    namespaceId: row.namespaceId,
    key: row.key,
    value: deleted ? null : (JSON.parse(row.value) as unknown),
    valueText: row.value,
    version: row.version,
    description: row.description,
    status: row.status,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    revision: row.revision,
    createRevision: row.createRevision,
    deleted,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  };
}

/** Reads the applied state a node restarts from. */
export async function loadState(dataSource: DataSource, nodeId: string): Promise<LoadedState> {
  const [namespaces, configs, raftState, lastLog, tokens] = await Promise.all([
    dataSource.getRepository(NamespaceRow).find(),
    dataSource.getRepository(ConfigRow).find(),
    dataSource.getRepository(RaftStateRow).findOneBy({ nodeId }),
    dataSource
      .getRepository(RaftLogRow)
      .createQueryBuilder('log')
      .select('MAX(log.index)', 'max')
      .getRawOne<{ max: string | number | null }>(),
    dataSource.getRepository(AccessTokenRow).find(),
  ]);
  return {
    appliedIndex: raftState?.lastApplied ?? 0,
    lastLogIndex: Number(lastLog?.max ?? 0),
    namespaces: namespaces.map(toNamespaceRecord),
    configs: configs.map(toConfigRecord),
    tokens: tokens.map(toTokenRecord),
  };
}
