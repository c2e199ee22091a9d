import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlTime } from '../database/sql-dialect';
import { ORIGIN_COLUMNS, originValues } from '../state/audit-event';
import { AuditOutcome } from './audit-actions';
import { AuditFilter, AuditItem, AuditSlice, isEndpointId, timeOfColumn } from './audit-filter';
import { WhereClause } from './audit-sql';
import { LocalAuditRecord } from './local-audit-record';

const COLUMNS = [
  'created_at',
  'action',
  'outcome',
  'code',
  'http_status',
  'namespace',
  'config_key',
  ...ORIGIN_COLUMNS,
];

interface LocalRow {
  created_at: unknown;
  action: string | null;
  outcome: AuditOutcome;
  code: number | string;
  namespace: string | null;
  config_key: string | null;
  client_id: string | null;
  on_behalf_of: string | null;
  client_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  endpoint: string | null;
  node_id: string | null;
}

/** The `audit_local` table: this node's own records (DESIGN 17), never replicated. */
@Injectable()
export class AuditLocalStore {
  private readonly quote: string;

  constructor(private readonly dataSource: DataSource) {
    this.quote = dataSource.options.type === 'mysql' ? '`' : '"';
  }

  private id = (name: string): string => `${this.quote}${name}${this.quote}`;

  /** One multi-row INSERT per batch (the buffer bounds the batch). */
  async insert(rows: readonly LocalAuditRecord[]): Promise<void> {
    if (rows.length === 0) return;
    const placeholders = `(${COLUMNS.map(() => '?').join(', ')})`;
    const values = rows.flatMap((row) => [
      sqlTime(row.at),
      row.action,
      row.outcome,
      row.code,
      row.httpStatus,
      row.namespace,
      row.configKey,
      ...originValues(row.origin),
    ]);
    await this.dataSource.query(
      `INSERT INTO ${this.id('audit_local')} (${COLUMNS.map(this.id).join(', ')}) VALUES ${rows.map(() => placeholders).join(', ')}`,
      values,
    );
  }

  async query(filter: AuditFilter, limit: number): Promise<AuditSlice> {
    const where = new WhereClause(this.quote);
    if (filter.clientId !== undefined) where.equals('client_id', filter.clientId);
    if (filter.namespace !== undefined) where.equals('namespace', filter.namespace);
    if (filter.outcome !== undefined) where.equals('outcome', filter.outcome);
    if (filter.action !== undefined)
      where.equals(isEndpointId(filter.action) ? 'endpoint' : 'action', filter.action);
    where.timeRange('created_at', filter.from, filter.to);
    const table = this.id('audit_local');
    const [counted] = await this.dataSource.query<Array<{ total: number | string }>>(
      `SELECT COUNT(*) AS total FROM ${table}${where.toString()}`,
      where.parameters,
    );
    const rows = await this.dataSource.query<LocalRow[]>(
      `SELECT * FROM ${table}${where.toString()} ORDER BY ${this.id('created_at')} DESC, ${this.id('id')} DESC LIMIT ${Math.max(0, Math.floor(limit))}`,
      where.parameters,
    );
    return { total: Number(counted.total), items: rows.map(toItem) };
  }

  /** Retention: rows older than `olderThan` (ms), then all but the newest `keep`. */
  async prune(olderThan: number, keep: number): Promise<number> {
    const table = this.id('audit_local');
    const id = this.id('id');
    let deleted = await this.deleted(`DELETE FROM ${table} WHERE ${this.id('created_at')} < ?`, [
      sqlTime(olderThan),
    ]);
    const [boundary] = await this.dataSource.query<Array<{ id: number | string }>>(
      `SELECT ${id} AS id FROM ${table} ORDER BY ${id} DESC LIMIT 1 OFFSET ${Math.max(0, Math.floor(keep))}`,
    );
    if (boundary)
      deleted += await this.deleted(`DELETE FROM ${table} WHERE ${id} <= ?`, [Number(boundary.id)]);
    return deleted;
  }

  async count(): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ total: number | string }>>(
      `SELECT COUNT(*) AS total FROM ${this.id('audit_local')}`,
    );
    return Number(row.total);
  }

  private async deleted(sql: string, parameters: unknown[]): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = await runner.query(sql, parameters, true);
      return result.affected ?? 0;
    } finally {
      await runner.release();
    }
  }
}

function toItem(row: LocalRow): AuditItem {
  return {
    time: new Date(timeOfColumn(row.created_at)).toISOString(),
    client_id: row.client_id,
    on_behalf_of: row.on_behalf_of,
    action: row.action,
    endpoint: row.endpoint,
    namespace: row.namespace,
    key: row.config_key,
    client_ip: row.client_ip,
    user_agent: row.user_agent,
    request_id: row.request_id,
    outcome: row.outcome,
    code: Number(row.code),
    node_id: row.node_id,
    revision: null,
  };
}
