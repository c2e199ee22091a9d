import { Inject, Injectable } from '@nestjs/common';
import { NamespaceNotFound, ValidationFailed } from '@cc/common';
import { Resource } from '@cc/resource';
import { checkKeyLength, encodeValue } from '../common/config-entry-limits';
import { isoTime, pagination } from '../common/validation';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { RequestContext } from '../http/request-context';
import { PerRevisionCache, SharedJson } from '../http/shared-answer';
import { ConfigOperation } from '../state/commands';
import { MAX_OPERATIONS_PER_ENTRY } from '../state/state-machine';
import { NamespaceRecord } from '../state/records';
import { StateReader } from '../state/state-view';
import { StateService } from '../state/state.service';
import { SYSTEM_NAMESPACE } from '../state/system-namespace';
import { assertNotReserved } from './namespace-lookup';
import {
  CreateNamespaceBody,
  ExportQuery,
  ImportBody,
  ListNamespaceQuery,
  NamespaceIdParam,
  NamespaceView,
  UpdateNamespaceBody,
} from './namespace.dto';

export function namespaceView(namespace: NamespaceRecord, reader: StateReader): NamespaceView {
  return {
    id: namespace.id,
    name: namespace.name,
    description: namespace.description,
    status: namespace.status,
    revision: namespace.revision,
    config_count: reader.liveConfigs(namespace.id).length,
    created_at: isoTime(namespace.createdAt),
    updated_at: isoTime(namespace.updatedAt),
  };
}

/**
 * The edge's checks before a namespace change. An unknown id is proposed anyway when the
 * request carries an Idempotency-Key: it may be the retry of a delete that already applied,
 * and only apply knows its first answer (apply refuses an unknown id with 40402 itself).
 */
function assertMayChange(reader: StateReader, id: number, context: RequestContext): void {
  const current = reader.namespaceById(id);
  if (current) assertNotReserved(current.name);
  else if (!context.idempotency) throw new NamespaceNotFound(id);
}

@Injectable()
export class CreateNamespaceResource extends Resource<CreateNamespaceBody, NamespaceView> {
  protected readonly inputSchema = CreateNamespaceBody;

  constructor(private readonly state: StateService) {
    super();
  }

  protected async perform(input: CreateNamespaceBody, context: RequestContext) {
    assertNotReserved(input.name);
    const { value } = await this.state.write(
      {
        type: 'CreateNamespace',
        name: input.name,
        description: input.description ?? null,
        at: Date.now(),
        operator: context.operator,
        idempotency: context.idempotency,
        origin: context.origin,
      },
      context,
    );
    return namespaceView(value, this.state.reader);
  }
}

@Injectable()
export class UpdateNamespaceResource extends Resource<UpdateNamespaceBody, NamespaceView> {
  protected readonly inputSchema = UpdateNamespaceBody;

  constructor(private readonly state: StateService) {
    super();
  }

  protected async perform(input: UpdateNamespaceBody, context: RequestContext) {
    assertMayChange(this.state.reader, input.id, context);
    const { value } = await this.state.write(
      {
        type: 'UpdateNamespace',
        id: input.id,
        description: input.description,
        status: input.status,
        at: Date.now(),
        operator: context.operator,
        idempotency: context.idempotency,
        origin: context.origin,
      },
      context,
    );
    return namespaceView(value, this.state.reader);
  }
}

@Injectable()
export class DeleteNamespaceResource extends Resource<NamespaceIdParam, unknown> {
  protected readonly inputSchema = NamespaceIdParam;

  constructor(private readonly state: StateService) {
    super();
  }

  protected async perform(input: NamespaceIdParam, context: RequestContext) {
    assertMayChange(this.state.reader, input.id, context);
    const { value, revision } = await this.state.write(
      {
        type: 'DeleteNamespace',
        id: input.id,
        at: Date.now(),
        operator: context.operator,
        idempotency: context.idempotency,
        origin: context.origin,
      },
      context,
    );
    return { ...value, revision };
  }
}

@Injectable()
export class ListNamespaceResource extends Resource<ListNamespaceQuery, unknown> {
  protected readonly inputSchema = ListNamespaceQuery;

  constructor(private readonly state: StateService) {
    super();
  }

  protected perform(input: ListNamespaceQuery, context: RequestContext) {
    const reader = this.state.reader;
    const needle = input.name?.toLowerCase();
    const matching = reader
      .namespaces()
      .filter(
        (ns) =>
          context.mayUseNamespace(ns.name) &&
          (needle === undefined || ns.name.toLowerCase().includes(needle)) &&
          (input.status === undefined || ns.status === input.status),
      );
    const page = input.page ?? 1;
    const pageSize = input.page_size ?? 20;
    return {
      list: matching
        .slice((page - 1) * pageSize, page * pageSize)
        .map((ns) => namespaceView(ns, reader)),
      pagination: pagination(page, pageSize, matching.length),
    };
  }
}

/**
 * GET /api/v1/admin/namespace/export: the live configs as a JSON document `import` accepts. The
 * configs are serialized once per namespace revision and shared; only the head is per request.
 */
@Injectable()
export class ExportNamespaceResource extends Resource<ExportQuery, SharedJson> {
  protected readonly inputSchema = ExportQuery;
  private readonly exports = new PerRevisionCache();

  constructor(private readonly state: StateService) {
    super();
  }

  protected perform(input: ExportQuery): SharedJson {
    const reader = this.state.reader;
    const namespace = reader.namespaceByName(input.namespace);
    if (!namespace) throw new NamespaceNotFound(input.namespace);
    const configs = this.exports.get(namespace.id, namespace.revision, () =>
      Buffer.from(
        JSON.stringify(
          reader.liveConfigs(namespace.id).map((config) => ({
            key: config.key,
            value: config.value,
            description: config.description,
            version: config.version,
          })),
        ),
      ),
    );
    const head = JSON.stringify({
      namespace: namespace.name,
      description: namespace.description,
      revision: namespace.revision,
      exported_at: new Date().toISOString(),
    });
    // The layout JSON.stringify gives the whole object: `configs` last.
    return new SharedJson([
      Buffer.from(`${head.slice(0, -1)},"configs":`),
      configs,
      Buffer.from('}'),
    ]);
  }
}

/** POST /api/v1/admin/namespace/import: one atomic batch; creates the namespace when missing. */
@Injectable()
export class ImportNamespaceResource extends Resource<ImportBody, unknown> {
  protected readonly inputSchema = ImportBody;

  constructor(
    private readonly state: StateService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  protected async perform(input: ImportBody, context: RequestContext) {
    // `_system` takes imports (an export round trip); each value is checked by its schema.
    if (input.namespace !== SYSTEM_NAMESPACE) assertNotReserved(input.namespace);
    const keys = new Set<string>();
    const operations: ConfigOperation[] = input.configs.map((item, index) => {
      checkKeyLength(item.key, this.config.limits, `configs.${index}.key`);
      if (keys.has(item.key))
        throw new ValidationFailed([
          { field: `configs.${index}.key`, errors: [`duplicate key ${item.key}`] },
        ]);
      keys.add(item.key);
      return {
        op: 'upsert',
        namespace: input.namespace,
        key: item.key,
        valueText: encodeValue(
          item.value,
          this.config.limits,
          input.namespace,
          `configs.${index}.value`,
        ),
        description: item.description,
      };
    });
    const existing = this.state.reader.namespaceByName(input.namespace);
    if (input.mode === 'replace' && existing) {
      for (const config of this.state.reader.liveConfigs(existing.id)) {
        if (!keys.has(config.key)) {
          operations.push({
            op: 'delete',
            namespace: input.namespace,
            key: config.key,
            expectedVersion: config.version,
          });
        }
      }
    }
    if (operations.length > MAX_OPERATIONS_PER_ENTRY)
      throw new ValidationFailed([
        {
          field: 'configs',
          errors: [`an import may change at most ${MAX_OPERATIONS_PER_ENTRY} keys`],
        },
      ]);
    const { value, revision } = await this.state.write(
      {
        type: 'WriteBatch',
        operations,
        createNamespace: { name: input.namespace, description: input.description ?? null },
        at: Date.now(),
        operator: context.operator,
        idempotency: context.idempotency,
        origin: context.origin,
      },
      context,
    );
    return {
      namespace: input.namespace,
      created_namespace: value.created_namespace !== null,
      written: keys.size,
      deleted: operations.length - keys.size,
      revision,
    };
  }
}
