import { sqlTime } from '../database/sql-dialect';
import { AuditEventRecord, originValues } from './audit-event';
import { TokenRecord } from './records';

/** Rows of the tables a write rarely touches (tokens, audit events), as SqlStateTransaction inserts them. */
export const TOKEN_COLUMNS = [
  'id',
  'client_id',
  'role',
  'namespaces',
  'secret_hash',
  'previous_hash',
  'previous_valid_until',
  'expires_at',
  'revoked_at',
  'created_by',
  'revision',
  'created_at',
  'updated_at',
];

export function tokenValues(t: TokenRecord): unknown[] {
  return [
    t.id,
    t.clientId,
    t.role,
    JSON.stringify(t.namespaces),
    t.secretHash,
    t.previousHash,
    t.previousValidUntil,
    t.expiresAt,
    t.revokedAt,
    t.createdBy,
    t.revision,
    sqlTime(t.createdAt),
    sqlTime(t.updatedAt),
  ];
}

export function auditEventValues(e: AuditEventRecord): unknown[] {
  return [
    e.id,
    e.revision,
    sqlTime(e.createdAt),
    e.action,
    e.namespaceId,
    e.namespace,
    e.configKey,
    e.operator,
    ...originValues(e.origin),
  ];
}
