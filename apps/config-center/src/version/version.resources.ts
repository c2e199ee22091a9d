import { Inject, Injectable } from '@nestjs/common';
import { BadParameter, ConfigNotFound } from '@cc/common';
import { Resource } from '@cc/resource';
import { pageAnswerBytes } from '../common/page-bound';
import { isoTime, pagination } from '../common/validation';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { enterIfExpensive, ExpensiveWorkContext } from '../http/expensive-reads';
import { RequestContext } from '../http/request-context';
import { enabledNamespace } from '../namespace/namespace-lookup';
import { ConfigRecord, NamespaceRecord } from '../state/records';
import { StateService } from '../state/state.service';
import { diffValues } from './json-diff';
import {
  ConfigPageQuery,
  DiffQuery,
  KeepVersionBody,
  RollbackBody,
  VersionsQuery,
} from './version.dto';
import { VersionQueries } from './version-queries';
import { versionAt, VersionReads } from './version-reads';

/** A key that exists or existed (tombstones have history and versions too). */
function knownConfig(
  state: StateService,
  namespaceName: string,
  key: string,
): { namespace: NamespaceRecord; config: ConfigRecord } {
  const namespace = enabledNamespace(state.reader, namespaceName);
  const config = state.reader.config(namespace.id, key);
  if (!config) throw new ConfigNotFound(namespaceName, key);
  return { namespace, config };
}

const parse = (text: string | null): unknown =>
  text === null ? null : (JSON.parse(text) as unknown);

/** GET /api/v1/admin/config/history: every change, newest first, deletes included. */
@Injectable()
export class ConfigHistoryResource extends Resource<ConfigPageQuery, unknown> {
  protected readonly inputSchema = ConfigPageQuery;

  constructor(
    private readonly state: StateService,
    private readonly queries: VersionQueries,
  ) {
    super();
  }

  protected async perform(input: ConfigPageQuery, context: ExpensiveWorkContext) {
    const { namespace, config } = knownConfig(this.state, input.namespace, input.key);
    const page = input.page ?? 1;
    const pageSize = input.page_size ?? 20;
    const sizes = await this.queries.historySizes(config.id, page, pageSize);
    enterIfExpensive(context, pageAnswerBytes(sizes));
    const [rows, total] = await this.queries.listHistory(config.id, page, pageSize);
    return {
      list: rows.map((row) => ({
        id: row.id,
        namespace: namespace.name,
        key: row.key,
        old_value: parse(row.oldValue),
        new_value: parse(row.newValue),
        version: row.version,
        operation: row.operation,
        operator: row.operator,
        revision: row.revision,
        created_at: row.createdAt.toISOString(),
      })),
      pagination: pagination(page, pageSize, total),
    };
  }
}

/** GET /api/v1/config/versions: kept versions, newest first (through the cache). */
@Injectable()
export class ConfigVersionsResource extends Resource<VersionsQuery, unknown> {
  protected readonly inputSchema = VersionsQuery;

  constructor(
    private readonly state: StateService,
    private readonly reads: VersionReads,
  ) {
    super();
  }

  protected async perform(input: VersionsQuery, context: ExpensiveWorkContext) {
    const { namespace, config } = knownConfig(this.state, input.namespace, input.key);
    const at = versionAt(this.state.reader.appliedIndex, namespace, config);
    const page = input.page ?? 1;
    const pageSize = input.page_size ?? input.limit ?? 20;
    const sizes = await this.reads.versionSizes(at, page, pageSize);
    const sizeField =
      input.page_size === undefined && input.limit !== undefined ? 'limit' : 'page_size';
    enterIfExpensive(context, pageAnswerBytes(sizes, sizeField));
    const [rows, total] = await this.reads.listVersions(at, page, pageSize);
    return {
      list: rows.map((row) => ({
        version: row.version,
        value: parse(row.value),
        created_by: row.createdBy,
        created_at: row.createdAt.toISOString(),
        revision: row.revision,
        kept: row.kept === 1,
        is_current: !config.deleted && row.version === config.version,
      })),
      pagination: pagination(page, pageSize, total),
    };
  }
}

/** GET /api/v1/config/diff: path-level changes between two versions (through the cache). */
@Injectable()
export class ConfigDiffResource extends Resource<DiffQuery, unknown> {
  protected readonly inputSchema = DiffQuery;

  constructor(
    private readonly state: StateService,
    private readonly reads: VersionReads,
  ) {
    super();
  }

  protected async perform(input: DiffQuery) {
    const fromVersion = input.from_version ?? input.from;
    const toVersion = input.to_version ?? input.to;
    const missing = [
      fromVersion === undefined ? 'from_version' : null,
      toVersion === undefined ? 'to_version' : null,
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new BadParameter(
        missing.map((field) => ({ field, errors: [`${field} is required`] })),
        `${missing.join(' and ')} required`,
      );
    }
    const { namespace, config } = knownConfig(this.state, input.namespace, input.key);
    const at = versionAt(this.state.reader.appliedIndex, namespace, config);
    const [from, to] = await Promise.all([
      this.reads.findVersion(at, fromVersion!),
      this.reads.findVersion(at, toVersion!),
    ]);
    if (!from) throw new ConfigNotFound(namespace.name, input.key, fromVersion);
    if (!to) throw new ConfigNotFound(namespace.name, input.key, toVersion);
    return {
      namespace: namespace.name,
      key: input.key,
      from_version: fromVersion,
      to_version: toVersion,
      changes: diffValues(from.value, to.value),
    };
  }
}

/** POST /api/v1/admin/config/rollback: a NEW version whose value equals the target's. */
@Injectable()
export class RollbackConfigResource extends Resource<RollbackBody, unknown> {
  protected readonly inputSchema = RollbackBody;

  constructor(
    private readonly state: StateService,
    private readonly queries: VersionQueries,
  ) {
    super();
  }

  protected async perform(input: RollbackBody, context: RequestContext) {
    const { namespace, config } = knownConfig(this.state, input.namespace, input.key);
    const target = await this.queries.findVersion(config.id, input.target_version);
    if (!target) throw new ConfigNotFound(namespace.name, input.key, input.target_version);
    const { value } = await this.state.write(
      {
        type: 'RollbackConfig',
        namespace: namespace.name,
        key: input.key,
        targetVersion: input.target_version,
        valueText: target.value,
        expectedVersion: input.expected_version,
        at: Date.now(),
        operator: context.operator,
        idempotency: context.idempotency,
        origin: context.origin,
      },
      context,
    );
    return value;
  }
}

/** PUT /api/v1/admin/config/version/keep: spec 3.6 "keep marked versions". */
@Injectable()
export class KeepVersionResource extends Resource<KeepVersionBody, unknown> {
  protected readonly inputSchema = KeepVersionBody;

  constructor(private readonly state: StateService) {
    super();
  }

  protected async perform(input: KeepVersionBody, context: RequestContext) {
    knownConfig(this.state, input.namespace, input.key);
    const { value } = await this.state.write(
      {
        type: 'SetVersionKept',
        namespace: input.namespace,
        key: input.key,
        version: input.version,
        kept: input.kept ?? true,
        at: Date.now(),
        operator: context.operator,
        idempotency: context.idempotency,
        origin: context.origin,
      },
      context,
    );
    return value;
  }
}

export class CleanupBody {}

/** POST /api/v1/admin/config/versions/cleanup, and the scheduled job: apply the retention policy now. */
@Injectable()
export class CleanupVersionsResource extends Resource<CleanupBody, unknown> {
  protected readonly inputSchema = CleanupBody;

  constructor(
    private readonly state: StateService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  protected async perform(_input: CleanupBody, context: RequestContext) {
    const now = Date.now();
    const { keepLatest, keepDays } = this.config.retention;
    const { value, revision } = await this.state.write(
      {
        type: 'PruneVersions',
        keepLatest,
        olderThan: keepDays > 0 ? now - keepDays * 24 * 3600 * 1000 : 0,
        at: now,
        operator: context.operator,
      },
      context,
    );
    return { ...value, keep_days: keepDays, revision, ran_at: isoTime(now) };
  }
}
