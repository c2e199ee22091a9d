import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StateService } from '../state/state.service';
import { SYSTEM_NAMESPACE } from '../state/system-namespace';
import {
  actionOfEndpoint,
  endpointsOfAction,
  HISTORY_OPERATION_ACTIONS,
  SETTINGS_UPDATE,
} from './audit-actions';
import { AuditFilter, AuditItem, AuditSlice, isEndpointId, timeOfColumn } from './audit-filter';
import { WhereClause } from './audit-sql';

interface OriginRow {
  created_at: unknown;
  client_id: string | null;
  on_behalf_of: string | null;
  client_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  endpoint: string | null;
  node_id: string | null;
  revision: number | string;
}

interface HistoryRow extends OriginRow {
  namespace_id: number | string;
  key: string;
  operation: string;
}

interface EventRow extends OriginRow {
  action: string;
  namespace_id: number | string | null;
  namespace: string | null;
  config_key: string | null;
}

const EMPTY: AuditSlice = { items: [], total: 0 };

/**
 * The replicated half of the audit: config changes (their config_history rows) and the other
 * changes apply writes an audit_event row for. Every node holds all of it, so it is read here.
 */
@Injectable()
export class AuditChangeQueries {
  private readonly quote: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly state: StateService,
  ) {
    this.quote = dataSource.options.type === 'mysql' ? '`' : '"';
  }

  private id = (name: string): string => `${this.quote}${name}${this.quote}`;

  async query(filter: AuditFilter, limit: number): Promise<AuditSlice[]> {
    if (filter.outcome !== undefined && filter.outcome !== 'success') return [EMPTY];
    return Promise.all([this.history(filter, limit), this.events(filter, limit)]);
  }

  private async history(filter: AuditFilter, limit: number): Promise<AuditSlice> {
    const where = new WhereClause(this.quote);
    const system = this.state.reader.namespaceByName(SYSTEM_NAMESPACE)?.id;
    if (filter.clientId !== undefined) where.equals('client_id', filter.clientId);
    if (filter.namespace !== undefined)
      where.oneOf('namespace_id', await this.namespaceIds(filter.namespace));
    if (filter.action === SETTINGS_UPDATE) {
      if (system === undefined) return EMPTY;
      where.equals('namespace_id', system);
    } else if (filter.action !== undefined) {
      if (system !== undefined) where.notEquals('namespace_id', system);
      if (isEndpointId(filter.action)) where.equals('endpoint', filter.action);
      else {
        const endpoints = endpointsOfAction(filter.action);
        const operations = Object.entries(HISTORY_OPERATION_ACTIONS)
          .filter(([, action]) => action === filter.action)
          .map(([operation]) => operation);
        if (endpoints.length === 0 && operations.length === 0) return EMPTY;
        const byEndpoint = endpoints.map(() => '?').join(', ');
        const byOperation = operations.map(() => '?').join(', ');
        where.raw(
          `(${endpoints.length ? `${this.id('endpoint')} IN (${byEndpoint})` : '1 = 0'} OR (${this.id('endpoint')} IS NULL AND ${operations.length ? `${this.id('operation')} IN (${byOperation})` : '1 = 0'}))`,
          [...endpoints, ...operations],
        );
      }
    }
    where.timeRange('created_at', filter.from, filter.to);
    const rows = await this.slice<HistoryRow>('config_history', where, limit, [
      'namespace_id',
      'key',
      'operation',
    ]);
    const names = await this.namespaceNames(rows.items.map((row) => Number(row.namespace_id)));
    return {
      total: rows.total,
      items: rows.items.map((row) => {
        const namespace = names.get(Number(row.namespace_id)) ?? null;
        const action =
          namespace === SYSTEM_NAMESPACE
            ? SETTINGS_UPDATE
            : (actionOfEndpoint(row.endpoint) ?? HISTORY_OPERATION_ACTIONS[row.operation] ?? null);
        return item(row, action, namespace, row.key);
      }),
    };
  }

  private async events(filter: AuditFilter, limit: number): Promise<AuditSlice> {
    const where = new WhereClause(this.quote);
    if (filter.clientId !== undefined) where.equals('client_id', filter.clientId);
    if (filter.namespace !== undefined) where.equals('namespace', filter.namespace);
    if (filter.action !== undefined)
      where.equals(isEndpointId(filter.action) ? 'endpoint' : 'action', filter.action);
    where.timeRange('created_at', filter.from, filter.to);
    const rows = await this.slice<EventRow>('audit_event', where, limit, [
      'action',
      'namespace_id',
      'namespace',
      'config_key',
    ]);
    return {
      total: rows.total,
      items: rows.items.map((row) => item(row, row.action, row.namespace, row.config_key)),
    };
  }

  private async slice<T>(
    table: string,
    where: WhereClause,
    limit: number,
    extra: string[],
  ): Promise<{ items: T[]; total: number }> {
    const columns = [
      'created_at',
      'client_id',
      'on_behalf_of',
      'client_ip',
      'user_agent',
      'request_id',
      'endpoint',
      'node_id',
      'revision',
      ...extra,
    ]
      .map(this.id)
      .join(', ');
    const [counted] = await this.dataSource.query<Array<{ total: number | string }>>(
      `SELECT COUNT(*) AS total FROM ${this.id(table)}${where.toString()}`,
      where.parameters,
    );
    const items = await this.dataSource.query<T[]>(
      `SELECT ${columns} FROM ${this.id(table)}${where.toString()} ORDER BY ${this.id('created_at')} DESC, ${this.id('id')} DESC LIMIT ${Math.max(0, Math.floor(limit))}`,
      where.parameters,
    );
    return { items, total: Number(counted.total) };
  }

  /** A namespace's ids: the live one, and those of namespaces of that name since deleted. */
  private async namespaceIds(name: string): Promise<number[]> {
    const ids = new Set<number>();
    const live = this.state.reader.namespaceByName(name);
    if (live) ids.add(live.id);
    const rows = await this.dataSource.query<Array<{ namespace_id: number | string | null }>>(
      `SELECT DISTINCT ${this.id('namespace_id')} FROM ${this.id('audit_event')} WHERE ${this.id('namespace')} = ? AND ${this.id('namespace_id')} IS NOT NULL`,
      [name],
    );
    for (const row of rows) ids.add(Number(row.namespace_id));
    return [...ids];
  }

  private async namespaceNames(ids: number[]): Promise<Map<number, string>> {
    const names = new Map<number, string>();
    const unknown: number[] = [];
    for (const id of new Set(ids)) {
      const live = this.state.reader.namespaceById(id);
      if (live) names.set(id, live.name);
      else unknown.push(id);
    }
    if (unknown.length > 0) {
      const rows = await this.dataSource.query<
        Array<{ namespace_id: number | string; namespace: string }>
      >(
        `SELECT ${this.id('namespace_id')}, ${this.id('namespace')} FROM ${this.id('audit_event')} WHERE ${this.id('namespace_id')} IN (${unknown.map(() => '?').join(', ')}) AND ${this.id('namespace')} IS NOT NULL`,
        unknown,
      );
      for (const row of rows) names.set(Number(row.namespace_id), row.namespace);
    }
    return names;
  }
}

function item(
  row: OriginRow,
  action: string | null,
  namespace: string | null,
  key: string | null,
): AuditItem {
  return {
    time: new Date(timeOfColumn(row.created_at)).toISOString(),
    client_id: row.client_id,
    on_behalf_of: row.on_behalf_of,
    action,
    endpoint: row.endpoint,
    namespace,
    key,
    client_ip: row.client_ip,
    user_agent: row.user_agent,
    request_id: row.request_id,
    outcome: 'success',
    code: 0,
    node_id: row.node_id,
    revision: Number(row.revision),
  };
}
