import { AuditOutcome } from './audit-actions';

/** The filters of GET /api/v1/admin/audit, as every source applies them. */
export interface AuditFilter {
  clientId?: string;
  namespace?: string;
  /** An action name (`config.update`) or an endpoint id (`PUT /api/v1/admin/config`). */
  action?: string;
  outcome?: AuditOutcome;
  /** Milliseconds since the epoch, inclusive. */
  from?: number;
  to?: number;
}

/** One audited request or change, as the API answers it (spec 3.7.2 names). */
export interface AuditItem {
  time: string;
  client_id: string | null;
  on_behalf_of: string | null;
  action: string | null;
  endpoint: string | null;
  namespace: string | null;
  key: string | null;
  client_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  outcome: AuditOutcome;
  code: number;
  node_id: string | null;
  /** The Raft index of a replicated change; null for what one node recorded alone. */
  revision: number | null;
}

/** Newest `limit` items of one source and how many match in all. */
export interface AuditSlice {
  items: AuditItem[];
  total: number;
}

export const isEndpointId = (action: string): boolean => action.includes(' ');

/** Newest first; ties broken by revision, then request id, so every merge orders alike. */
export function newestFirst(a: AuditItem, b: AuditItem): number {
  if (a.time !== b.time) return a.time < b.time ? 1 : -1;
  const revision = (b.revision ?? 0) - (a.revision ?? 0);
  if (revision !== 0) return revision;
  return (b.request_id ?? '').localeCompare(a.request_id ?? '');
}

/** Time from a DATETIME column: a Date (mysql2) or UTC text (SQLite). */
export function timeOfColumn(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  const text = String(value);
  return Date.parse(text.includes('T') ? text : `${text.replace(' ', 'T')}Z`);
}
