import { DataSource } from 'typeorm';
import { ConfigRow, NamespaceRow, RaftLogRow, RaftStateRow } from '../database/entities';
import { ConfigRecord, NamespaceRecord } from './records';

export interface LoadedState {
  appliedIndex: number;
  lastLogIndex: number;
  namespaces: NamespaceRecord[];
  configs: ConfigRecord[];
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
  const [namespaces, configs, raftState, lastLog] = await Promise.all([
    dataSource.getRepository(NamespaceRow).find(),
    dataSource.getRepository(ConfigRow).find(),
    dataSource.getRepository(RaftStateRow).findOneBy({ nodeId }),
    dataSource
      .getRepository(RaftLogRow)
      .createQueryBuilder('log')
      .select('MAX(log.index)', 'max')
      .getRawOne<{ max: string | number | null }>(),
  ]);
  return {
    appliedIndex: raftState?.lastApplied ?? 0,
    lastLogIndex: Number(lastLog?.max ?? 0),
    namespaces: namespaces.map(toNamespaceRecord),
    configs: configs.map(toConfigRecord),
  };
}
