import { ErrorCode, IdempotencyKeyReused } from '@cc/common';
import {
  Command,
  CommandFailure,
  CommandOutcome,
  ConfigOperation,
  CreateNamespace,
  DeleteNamespace,
  PruneVersions,
  RollbackConfig,
  SetVersionKept,
  UpdateNamespace,
  WriteBatch,
  WriteConfig,
} from './commands';
import { auditEventOf } from './audit-event';
import { Mutation, StateTransaction } from './mutations';
import { ConfigRecord, HistoryRecord, NamespaceRecord } from './records';
import { ViewOverlay } from './state-view';

/** Rows created by one entry get ids `index * ID_STRIDE + n`: deterministic, never AUTO_INCREMENT (DESIGN 11). */
export const ID_STRIDE = 1000;
/**
 * An entry that creates more than ID_STRIDE - 1 rows of one table (a large import) takes the
 * rest from a range of its own above 2^50, `WIDE_ID_BASE + index * WIDE_ID_STRIDE + n`, that
 * no ordinary id reaches (index * 1000 < 2^50 for 10^12 entries). Ordinary entries keep their
 * ids, so a log written before this rule replays to identical rows. Both stay below 2^53.
 */
const WIDE_ID_BASE = 2 ** 50;
const WIDE_ID_STRIDE = 2 ** 17;
/** The most rows of one table a single entry may create (an import of this many keys). */
export const MAX_OPERATIONS_PER_ENTRY = ID_STRIDE - 1 + WIDE_ID_STRIDE;
/**
 * DESIGN 12: how long an idempotency record answers a repeat of its key (measured in the
 * commands' own `at`, so every replica decides alike). After it the key may be used afresh;
 * PruneVersions (the retention job) deletes the expired rows.
 */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

class Failure extends Error {
  constructor(readonly failure: CommandFailure) {
    super(failure.message);
  }
}

const fail = (code: number, message: string, details?: unknown): never => {
  throw new Failure({ code, message, details });
};

/** Proposers send valid JSON; a malformed entry fails alike on every replica instead of crashing them. */
function parseValue(valueText: string): unknown {
  try {
    return JSON.parse(valueText) as unknown;
  } catch {
    return fail(ErrorCode.VALIDATION_FAILED, 'value is not valid JSON');
  }
}

/** Per-entry id allocator; one per table so a batch of N keys needs N ids in each. */
class IdAllocator {
  private readonly next = new Map<string, number>();
  constructor(private readonly index: number) {}
  take(table: string): number {
    const n = (this.next.get(table) ?? 0) + 1;
    this.next.set(table, n);
    if (n < ID_STRIDE) return this.index * ID_STRIDE + n;
    if (n >= MAX_OPERATIONS_PER_ENTRY + 1)
      fail(
        ErrorCode.VALIDATION_FAILED,
        `one write may create at most ${MAX_OPERATIONS_PER_ENTRY} rows`,
      );
    return WIDE_ID_BASE + this.index * WIDE_ID_STRIDE + (n - ID_STRIDE);
  }
}

/** The command's idempotency record; an entry of before scoping keeps its bare key. */
function idempotencyOf(
  command: Command,
): { scope: string; key: string; fingerprint: string | null } | undefined {
  if (command.idempotency) return command.idempotency;
  if (command.idempotencyKey) return { scope: '', key: command.idempotencyKey, fingerprint: null };
  return undefined;
}

interface ApplyContext {
  index: number;
  command: Command;
  view: ViewOverlay;
  ids: IdAllocator;
  mutations: Mutation[];
}

/**
 * The deterministic state machine: `apply` turns one committed command into row mutations and
 * view changes, using nothing but the command, the entry index and the state before it.
 * Business preconditions are checked here, so every replica reaches the same outcome.
 */
export class StateMachine {
  async apply(
    command: Command,
    index: number,
    view: ViewOverlay,
    tx: StateTransaction,
  ): Promise<CommandOutcome> {
    const claim = idempotencyOf(command);
    if (claim) {
      const earlier = await tx.findOutcome(claim, command.at - IDEMPOTENCY_WINDOW_MS);
      if (earlier) {
        if (earlier.fingerprint === claim.fingerprint) return earlier.outcome;
        // Nothing is applied and the record keeps the first request's outcome.
        const refusal = new IdempotencyKeyReused(claim.key);
        return {
          ok: false,
          revision: index,
          error: { code: refusal.code, message: refusal.message, details: refusal.details },
        };
      }
    }
    const child = view.fork();
    const context: ApplyContext = {
      index,
      command,
      view: child,
      ids: new IdAllocator(index),
      mutations: [],
    };
    let outcome: CommandOutcome;
    try {
      const value = await this.dispatch(context, tx);
      const event = auditEventOf(command, index, value, () => context.ids.take('audit_event'));
      if (event) await tx.execute([{ kind: 'insertAuditEvent', record: event }]);
      child.mergeInto(view);
      outcome = { ok: true, revision: index, value };
    } catch (error) {
      if (!(error instanceof Failure)) throw error;
      outcome = { ok: false, revision: index, error: error.failure };
    }
    if (claim) await tx.rememberOutcome(claim, claim.fingerprint, outcome, command.at);
    return outcome;
  }

  private async dispatch(context: ApplyContext, tx: StateTransaction): Promise<unknown> {
    const { command } = context;
    switch (command.type) {
      case 'CreateNamespace':
        return this.flush(context, tx, this.createNamespace(context, command));
      case 'UpdateNamespace':
        return this.flush(context, tx, this.updateNamespace(context, command));
      case 'DeleteNamespace':
        return this.flush(context, tx, this.deleteNamespace(context, command));
      case 'WriteConfig':
        return this.flush(context, tx, this.writeConfig(context, command));
      case 'WriteBatch':
        return this.flush(context, tx, this.writeBatch(context, command));
      case 'RollbackConfig':
        return this.flush(context, tx, this.rollback(context, command));
      case 'SetVersionKept':
        return this.setVersionKept(context, command, tx);
      case 'PruneVersions':
        return this.pruneVersions(command, tx);
      default:
        // A committed entry this build does not know: refuse it the same way on every replica.
        return fail(
          ErrorCode.BAD_PARAMETER,
          `unknown command ${(command as { type?: unknown }).type}`,
        );
    }
  }

  private async flush<T>(context: ApplyContext, tx: StateTransaction, value: T): Promise<T> {
    if (context.mutations.length > 0) await tx.execute(context.mutations);
    return value;
  }

  private createNamespace(context: ApplyContext, command: CreateNamespace): NamespaceRecord {
    if (context.view.namespaceByName(command.name)) {
      fail(ErrorCode.CONFLICT, `namespace ${command.name} already exists`, {
        namespace: command.name,
      });
    }
    return this.addNamespace(context, command.name, command.description);
  }

  private addNamespace(
    context: ApplyContext,
    name: string,
    description: string | null,
  ): NamespaceRecord {
    const record: NamespaceRecord = {
      id: context.ids.take('namespace'),
      name,
      description,
      status: 1,
      revision: context.index,
      createdAt: context.command.at,
      updatedAt: context.command.at,
    };
    context.view.setNamespace(record);
    context.mutations.push({ kind: 'saveNamespace', record, isNew: true });
    return record;
  }

  private updateNamespace(context: ApplyContext, command: UpdateNamespace): NamespaceRecord {
    const current =
      context.view.namespaceById(command.id) ??
      fail(ErrorCode.NAMESPACE_NOT_FOUND, `namespace ${command.id} not found`);
    const record: NamespaceRecord = {
      ...current,
      description: command.description === undefined ? current.description : command.description,
      status: command.status === undefined ? current.status : command.status,
      revision: context.index,
      updatedAt: command.at,
    };
    context.view.setNamespace(record);
    context.mutations.push({ kind: 'saveNamespace', record, isNew: false });
    return record;
  }

  private deleteNamespace(
    context: ApplyContext,
    command: DeleteNamespace,
  ): { id: number; name: string } {
    const current =
      context.view.namespaceById(command.id) ??
      fail(ErrorCode.NAMESPACE_NOT_FOUND, `namespace ${command.id} not found`);
    const live = context.view.liveConfigs(current.id).length;
    if (live > 0) {
      fail(
        ErrorCode.CONFLICT,
        `namespace ${current.name} still holds ${live} config(s); delete them first`,
        {
          namespace: current.name,
          configs: live,
        },
      );
    }
    context.view.deleteNamespace(current.id);
    context.mutations.push({ kind: 'deleteNamespace', id: current.id });
    return { id: current.id, name: current.name };
  }

  private writeConfig(context: ApplyContext, command: WriteConfig): unknown {
    return this.applyOperation(context, command.operation);
  }

  private writeBatch(context: ApplyContext, command: WriteBatch): unknown {
    let createdNamespace: NamespaceRecord | undefined;
    if (command.createNamespace && !context.view.namespaceByName(command.createNamespace.name)) {
      createdNamespace = this.addNamespace(
        context,
        command.createNamespace.name,
        command.createNamespace.description,
      );
    }
    const results = command.operations.map((operation, position) => {
      try {
        return this.applyOperation(context, operation);
      } catch (error) {
        if (error instanceof Failure) {
          // The whole batch fails; say which operation stopped it.
          fail(
            error.failure.code,
            `operation ${position} (${operation.op} ${operation.namespace}/${operation.key}): ${error.failure.message}`,
            {
              index: position,
              cause: error.failure.details ?? null,
            },
          );
        }
        throw error;
      }
    });
    return { results, created_namespace: createdNamespace?.name ?? null };
  }

  private writableNamespace(context: ApplyContext, name: string): NamespaceRecord {
    const namespace =
      context.view.namespaceByName(name) ??
      fail(ErrorCode.NAMESPACE_NOT_FOUND, `namespace ${name} not found`, { namespace: name });
    if (namespace.status !== 1)
      fail(ErrorCode.FORBIDDEN, `namespace ${name} is disabled`, {
        namespace: name,
        status: namespace.status,
      });
    return namespace;
  }

  private checkExpected(
    current: ConfigRecord | undefined,
    expected: number | undefined,
    namespace: string,
    key: string,
  ): void {
    if (expected === undefined) return;
    const actual = current && !current.deleted ? current.version : 0;
    if (actual !== expected) {
      fail(
        ErrorCode.CONFLICT,
        `config ${namespace}/${key} is at version ${actual}, expected ${expected}`,
        {
          expected_version: expected,
          actual_version: actual,
        },
      );
    }
  }

  private applyOperation(context: ApplyContext, operation: ConfigOperation): unknown {
    const namespace = this.writableNamespace(context, operation.namespace);
    const current = context.view.config(namespace.id, operation.key);
    const live = current && !current.deleted ? current : undefined;
    this.checkExpected(current, operation.expectedVersion, operation.namespace, operation.key);

    if (operation.op === 'delete') {
      if (!live)
        fail(
          ErrorCode.CONFIG_NOT_FOUND,
          `config ${operation.namespace}/${operation.key} not found`,
        );
      const deleted = this.saveConfig(
        context,
        namespace,
        operation.key,
        live!,
        { valueText: '', deleted: true },
        'DELETE',
      );
      return {
        namespace: namespace.name,
        key: operation.key,
        version: deleted.version,
        revision: context.index,
      };
    }
    if (operation.op === 'create' && live) {
      fail(
        ErrorCode.CONFIG_KEY_EXISTS,
        `config ${operation.namespace}/${operation.key} already exists`,
      );
    }
    if (operation.op === 'update' && !live) {
      fail(ErrorCode.CONFIG_NOT_FOUND, `config ${operation.namespace}/${operation.key} not found`);
    }
    const saved = this.saveConfig(
      context,
      namespace,
      operation.key,
      current,
      { valueText: operation.valueText, deleted: false, description: operation.description },
      live ? 'UPDATE' : 'CREATE',
    );
    return {
      id: saved.id,
      namespace: namespace.name,
      key: saved.key,
      version: saved.version,
      old_version: live ? live.version : null,
      revision: context.index,
    };
  }

  private rollback(context: ApplyContext, command: RollbackConfig): unknown {
    const namespace = this.writableNamespace(context, command.namespace);
    const current = context.view.config(namespace.id, command.key);
    this.checkExpected(current, command.expectedVersion, command.namespace, command.key);
    if (!current)
      fail(ErrorCode.CONFIG_NOT_FOUND, `config ${command.namespace}/${command.key} not found`);
    if (command.targetVersion >= current!.version) {
      fail(
        ErrorCode.VALIDATION_FAILED,
        `target_version must be below the current version ${current!.version}`,
      );
    }
    const saved = this.saveConfig(
      context,
      namespace,
      command.key,
      current,
      { valueText: command.valueText, deleted: false },
      'ROLLBACK',
    );
    return {
      namespace: namespace.name,
      key: command.key,
      current_version: saved.version,
      previous_version: current!.version,
      target_version: command.targetVersion,
      revision: context.index,
    };
  }

  private saveConfig(
    context: ApplyContext,
    namespace: NamespaceRecord,
    key: string,
    current: ConfigRecord | undefined,
    change: { valueText: string; deleted: boolean; description?: string | null },
    operation: HistoryRecord['operation'],
  ): ConfigRecord {
    const { index, command } = context;
    const live = current && !current.deleted ? current : undefined;
    const record: ConfigRecord = {
      id: current?.id ?? context.ids.take('config'),
      namespaceId: namespace.id,
      key,
      value: change.deleted ? null : parseValue(change.valueText),
      valueText: change.valueText,
      version: (current?.version ?? 0) + 1,
      description:
        change.description === undefined ? (current?.description ?? null) : change.description,
      status: 1,
      createdBy: live ? live.createdBy : command.operator,
      updatedBy: command.operator,
      revision: index,
      createRevision: live ? live.createRevision : index,
      deleted: change.deleted,
      createdAt: live ? live.createdAt : command.at,
      updatedAt: command.at,
    };
    context.view.setConfig(record);
    context.view.setNamespace({ ...namespace, revision: index, updatedAt: command.at });
    context.mutations.push(
      { kind: 'saveConfig', record },
      {
        kind: 'saveNamespace',
        record: { ...namespace, revision: index, updatedAt: command.at },
        isNew: false,
      },
      {
        kind: 'insertHistory',
        record: {
          id: context.ids.take('history'),
          configId: record.id,
          namespaceId: namespace.id,
          key: record.key,
          oldValue: live ? live.valueText : null,
          newValue: change.deleted ? null : change.valueText,
          version: record.version,
          operation,
          operator: command.operator,
          revision: index,
          createdAt: command.at,
          origin: command.origin,
        },
      },
    );
    if (!change.deleted) {
      context.mutations.push({
        kind: 'insertVersion',
        record: {
          id: context.ids.take('version'),
          configId: record.id,
          namespaceId: namespace.id,
          key: record.key,
          value: change.valueText,
          version: record.version,
          createdBy: command.operator,
          revision: index,
          createdAt: command.at,
        },
      });
    }
    return record;
  }

  private async setVersionKept(
    context: ApplyContext,
    command: SetVersionKept,
    tx: StateTransaction,
  ): Promise<unknown> {
    const namespace =
      context.view.namespaceByName(command.namespace) ??
      fail(ErrorCode.NAMESPACE_NOT_FOUND, `namespace ${command.namespace} not found`);
    const config =
      context.view.config(namespace.id, command.key) ??
      fail(ErrorCode.CONFIG_NOT_FOUND, `config ${command.namespace}/${command.key} not found`);
    const [touched] = await tx.execute([
      { kind: 'setVersionKept', configId: config.id, version: command.version, kept: command.kept },
    ]);
    if (touched === 0)
      fail(
        ErrorCode.CONFIG_NOT_FOUND,
        `config ${command.namespace}/${command.key} has no version ${command.version}`,
      );
    return {
      namespace: command.namespace,
      key: command.key,
      version: command.version,
      kept: command.kept,
    };
  }

  private async pruneVersions(command: PruneVersions, tx: StateTransaction): Promise<unknown> {
    const [deleted, forgotten] = await tx.execute([
      { kind: 'pruneVersions', keepLatest: command.keepLatest, olderThan: command.olderThan },
      { kind: 'pruneIdempotency', olderThan: command.at - IDEMPOTENCY_WINDOW_MS },
    ]);
    return {
      deleted_versions: deleted,
      forgotten_request_ids: forgotten,
      keep_latest: command.keepLatest,
      older_than: command.olderThan,
    };
  }
}
