import { saveRaftState } from '../database/raft-tables';
import { SqlDialect, sqlTime } from '../database/sql-dialect';
import { SqlWriter } from '../database/sql-writer';
import { AUDIT_EVENT_COLUMNS, ORIGIN_COLUMNS, originValues } from './audit-event';
import { auditEventValues, TOKEN_COLUMNS, tokenValues } from './rare-row-values';
import { CommandOutcome } from './commands';
import { IdempotencyRecordId, Mutation, RememberedOutcome, StateTransaction } from './mutations';
import { ConfigRecord, HistoryRecord, NamespaceRecord, VersionRecord } from './records';

const NAMESPACE_COLUMNS = [
  'id',
  'name',
  'description',
  'status',
  'revision',
  'created_at',
  'updated_at',
];
const CONFIG_COLUMNS = [
  'id',
  'namespace_id',
  'key',
  'value',
  'version',
  'description',
  'status',
  'created_by',
  'updated_by',
  'revision',
  'create_revision',
  'deleted',
  'created_at',
  'updated_at',
];
const HISTORY_COLUMNS = [
  'id',
  'config_id',
  'namespace_id',
  'key',
  'old_value',
  'new_value',
  'version',
  'operation',
  'operator',
  'revision',
  'created_at',
  ...ORIGIN_COLUMNS,
];
const VERSION_COLUMNS = [
  'id',
  'config_id',
  'namespace_id',
  'key',
  'value',
  'version',
  'status',
  'kept',
  'created_by',
  'revision',
  'created_at',
];

function configValues(c: ConfigRecord): unknown[] {
  return [
    c.id,
    c.namespaceId,
    c.key,
    c.valueText,
    c.version,
    c.description,
    c.status,
    c.createdBy,
    c.updatedBy,
    c.revision,
    c.createRevision,
    c.deleted ? 1 : 0,
    sqlTime(c.createdAt),
    sqlTime(c.updatedAt),
  ];
}

function historyValues(h: HistoryRecord): unknown[] {
  return [
    h.id,
    h.configId,
    h.namespaceId,
    h.key,
    h.oldValue,
    h.newValue,
    h.version,
    h.operation,
    h.operator,
    h.revision,
    sqlTime(h.createdAt),
    ...originValues(h.origin),
  ];
}

/** A new version is enabled (status 1) and not kept. */
function versionValues(v: VersionRecord): unknown[] {
  return [
    v.id,
    v.configId,
    v.namespaceId,
    v.key,
    v.value,
    v.version,
    1,
    0,
    v.createdBy,
    v.revision,
    sqlTime(v.createdAt),
  ];
}

interface RowBuffer {
  namespaces: Map<number, { record: NamespaceRecord; isNew: boolean }>;
  configs: Map<number, ConfigRecord>;
  histories: unknown[][];
  versions: unknown[][];
  auditEvents: unknown[][];
  /** By `recordKey(scope, key)`. */
  outcomes: Map<string, BufferedOutcome>;
}

interface BufferedOutcome extends RememberedOutcome {
  record: IdempotencyRecordId;
  at: number;
}

const IDEMPOTENCY_COLUMNS = [
  'scope',
  'request_id',
  'fingerprint',
  'revision',
  'result',
  'created_at',
];

/** Scopes never hold a newline (a route template and a caller id), so the pair maps one to one. */
const recordKey = ({ scope, key }: IdempotencyRecordId): string => `${scope}\n${key}`;

function emptyBuffer(): RowBuffer {
  return {
    namespaces: new Map(),
    configs: new Map(),
    histories: [],
    versions: [],
    auditEvents: [],
    outcomes: new Map(),
  };
}

/**
 * StateTransaction on a SqlWriter: the same SQL on MySQL and SQLite, written by hand because
 * this is the write hot path (see SqlDialect).
 */
export class SqlStateTransaction extends StateTransaction {
  private readonly sql: SqlDialect;
  private pending: RowBuffer = emptyBuffer();

  constructor(
    private readonly writer: SqlWriter,
    private readonly nodeId: string,
  ) {
    super();
    this.sql = writer.dialect;
  }

  /**
   * Row writes are buffered across every command of the transaction and written in a handful
   * of multi-row statements at `flush` (before `setApplied`), so a Ready of N entries costs
   * ~6 statements, not ~4N. Mutations whose row count matters run at once, after a flush.
   */
  async execute(mutations: Mutation[]): Promise<number[]> {
    const touched: number[] = new Array<number>(mutations.length).fill(0);
    const immediate: Array<{ mutation: Mutation; position: number }> = [];
    mutations.forEach((mutation, position) => {
      switch (mutation.kind) {
        case 'saveNamespace': {
          const previous = this.pending.namespaces.get(mutation.record.id);
          this.pending.namespaces.set(mutation.record.id, {
            record: mutation.record,
            isNew: previous?.isNew ?? mutation.isNew,
          });
          break;
        }
        case 'saveConfig':
          this.pending.configs.set(mutation.record.id, mutation.record);
          break;
        case 'insertHistory':
          this.pending.histories.push(historyValues(mutation.record));
          break;
        case 'insertVersion':
          this.pending.versions.push(versionValues(mutation.record));
          break;
        case 'insertAuditEvent':
          this.pending.auditEvents.push(auditEventValues(mutation.record));
          break;
        case 'deleteNamespace':
        case 'setVersionKept':
        case 'pruneVersions':
        case 'pruneIdempotency':
        case 'saveToken':
          immediate.push({ mutation, position });
      }
    });
    if (immediate.length > 0) await this.flush();
    for (const { mutation, position } of immediate)
      touched[position] = await this.executeOne(mutation);
    return touched;
  }

  /** Writes the buffered rows: each namespace and config once (last state wins), then history and versions. */
  async flush(): Promise<void> {
    const { namespaces, configs, histories, versions, auditEvents, outcomes } = this.pending;
    this.pending = emptyBuffer();
    for (const { record, isNew } of namespaces.values()) await this.saveNamespace(record, isNew);
    const configRows = [...configs.values()].map((record) => configValues(record));
    await this.sql.insertRows(this.writer, 'config', CONFIG_COLUMNS, configRows, 'id');
    await this.sql.insertRows(this.writer, 'config_history', HISTORY_COLUMNS, histories);
    await this.sql.insertRows(this.writer, 'config_version', VERSION_COLUMNS, versions);
    await this.sql.insertRows(this.writer, 'audit_event', AUDIT_EVENT_COLUMNS, auditEvents);
    // An upsert: a key reused after its record expired replaces the expired record.
    await this.sql.insertRows(
      this.writer,
      'idempotency_record',
      IDEMPOTENCY_COLUMNS,
      [...outcomes.values()].map(({ record, fingerprint, outcome, at }) => [
        record.scope,
        record.key,
        fingerprint,
        outcome.revision,
        JSON.stringify(outcome),
        sqlTime(at),
      ]),
      ['scope', 'request_id'],
    );
  }

  private async saveNamespace(ns: NamespaceRecord, isNew: boolean): Promise<void> {
    if (isNew) {
      await this.sql.insertRows(this.writer, 'namespace', NAMESPACE_COLUMNS, [
        [
          ns.id,
          ns.name,
          ns.description,
          ns.status,
          ns.revision,
          sqlTime(ns.createdAt),
          sqlTime(ns.updatedAt),
        ],
      ]);
      return;
    }
    const { id } = this.sql;
    await this.writer.write(
      `UPDATE ${id('namespace')} SET ${id('description')} = ?, ${id('status')} = ?, ${id('revision')} = ?, ${id('updated_at')} = ? WHERE ${id('id')} = ?`,
      [ns.description, ns.status, ns.revision, sqlTime(ns.updatedAt), ns.id],
    );
  }

  private async executeOne(mutation: Mutation): Promise<number> {
    const { id } = this.sql;
    switch (mutation.kind) {
      case 'deleteNamespace': {
        await this.writer.write(
          `DELETE FROM ${id('config_version')} WHERE ${id('namespace_id')} = ?`,
          [mutation.id],
        );
        await this.writer.write(`DELETE FROM ${id('config')} WHERE ${id('namespace_id')} = ?`, [
          mutation.id,
        ]);
        return this.writer.run(`DELETE FROM ${id('namespace')} WHERE ${id('id')} = ?`, [
          mutation.id,
        ]);
      }
      case 'setVersionKept':
        return this.writer.run(
          `UPDATE ${id('config_version')} SET ${id('kept')} = ? WHERE ${id('config_id')} = ? AND ${id('version')} = ?`,
          [mutation.kept ? 1 : 0, mutation.configId, mutation.version],
        );
      case 'pruneVersions':
        return this.pruneVersions(mutation.keepLatest, mutation.olderThan);
      case 'pruneIdempotency':
        return this.writer.run(
          `DELETE FROM ${id('idempotency_record')} WHERE ${id('created_at')} < ?`,
          [sqlTime(mutation.olderThan)],
        );
      case 'saveToken':
        await this.sql.insertRows(
          this.writer,
          'access_token',
          TOKEN_COLUMNS,
          [tokenValues(mutation.record)],
          'id',
        );
        return 1;
      case 'saveNamespace':
      case 'saveConfig':
      case 'insertHistory':
      case 'insertVersion':
      case 'insertAuditEvent':
        throw new Error(`mutation ${mutation.kind} is executed in bulk`);
    }
  }

  /**
   * Spec 3.6: a version survives when it is among the latest N of its key, OR younger than the
   * age cutoff, OR marked as kept. The current version is always among the latest N (N >= 1).
   */
  private async pruneVersions(keepLatest: number, olderThan: number): Promise<number> {
    const { id } = this.sql;
    const age = olderThan > 0 ? ` AND ${id('created_at')} < ?` : '';
    return this.writer.run(
      `DELETE FROM ${id('config_version')} WHERE ${id('kept')} = 0${age} AND ${id('version')} <= ` +
        `(SELECT c.${id('version')} FROM ${id('config')} c WHERE c.${id('id')} = ${id('config_version')}.${id('config_id')}) - ?`,
      olderThan > 0 ? [sqlTime(olderThan), keepLatest] : [keepLatest],
    );
  }

  async findOutcome(
    record: IdempotencyRecordId,
    newerThan: number,
  ): Promise<RememberedOutcome | undefined> {
    const buffered = this.pending.outcomes.get(recordKey(record));
    if (buffered) return buffered.at > newerThan ? buffered : undefined;
    const { id } = this.sql;
    const rows = await this.writer.select<{ result: string; fingerprint: string | null }>(
      `SELECT ${id('result')}, ${id('fingerprint')} FROM ${id('idempotency_record')} WHERE ${id('scope')} = ? AND ${id('request_id')} = ? AND ${id('created_at')} > ?`,
      [record.scope, record.key, sqlTime(newerThan)],
    );
    if (rows.length === 0) return undefined;
    return {
      outcome: JSON.parse(rows[0].result) as CommandOutcome,
      fingerprint: rows[0].fingerprint,
    };
  }

  async rememberOutcome(
    record: IdempotencyRecordId,
    fingerprint: string | null,
    outcome: CommandOutcome,
    at: number,
  ): Promise<void> {
    this.pending.outcomes.set(recordKey(record), { record, fingerprint, outcome, at });
  }

  /** DESIGN 2: `last_applied` moves in the transaction that applied the entries. */
  async setApplied(index: number, term?: number): Promise<void> {
    await this.flush();
    await saveRaftState(
      this.writer,
      this.nodeId,
      term === undefined
        ? { lastApplied: index }
        : { lastApplied: index, commitIndex: index, currentTerm: term },
    );
  }
}
