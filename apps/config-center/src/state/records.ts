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

/** Roles nest: admin ⊇ writer ⊇ reader (DESIGN 21). */
export type TokenRole = 'admin' | 'writer' | 'reader';
export const TOKEN_ROLES: readonly TokenRole[] = ['reader', 'writer', 'admin'];

/**
 * An access token as the state machine knows it: never the secret, only its SHA-256 (DESIGN 21).
 * A revoked token stays (its id and client id explain old audit rows); it never authenticates.
 */
export interface TokenRecord {
  readonly id: number;
  readonly clientId: string;
  readonly role: TokenRole;
  /** Namespace names, or '*' for every namespace (but `_system`, which is admins' only). */
  readonly namespaces: readonly string[] | '*';
  /** SHA-256 (hex) of the current secret. */
  readonly secretHash: string;
  /** After a rotation, the previous secret's hash, accepted until `previousValidUntil`. */
  readonly previousHash: string | null;
  readonly previousValidUntil: number | null;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly createdBy: string;
  readonly revision: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}
