import { ChangeOrigin } from './commands';

/** What the state machine knows of a namespace. Records are immutable: a change replaces them. */
export interface NamespaceRecord {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  /** 1 enabled, 0 disabled (spec 3.2.1). */
  readonly status: number;
  /** Raft index of the last change to the namespace or to any of its configs. */
  readonly revision: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ConfigRecord {
  readonly id: number;
  readonly namespaceId: number;
  readonly key: string;
  /** The value as the API returns it (parsed JSON); `valueText` is what the database holds. */
  readonly value: unknown;
  readonly valueText: string;
  readonly version: number;
  readonly description: string | null;
  readonly status: number;
  readonly createdBy: string | null;
  readonly updatedBy: string | null;
  readonly revision: number;
  readonly createRevision: number;
  /** A tombstone keeps the version counter of a deleted key (DESIGN 13). */
  readonly deleted: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface HistoryRecord {
  id: number;
  configId: number;
  namespaceId: number;
  key: string;
  oldValue: string | null;
  newValue: string | null;
  version: number;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'ROLLBACK';
  operator: string | null;
  revision: number;
  createdAt: number;
  /** Who asked for the change and from where (absent on entries of before the audit). */
  origin?: ChangeOrigin;
}

export interface VersionRecord {
  id: number;
  configId: number;
  namespaceId: number;
  key: string;
  value: string;
  version: number;
  createdBy: string | null;
  revision: number;
  createdAt: number;
}
