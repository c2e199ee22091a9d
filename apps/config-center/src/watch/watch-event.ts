import { AppliedBatch } from '../state/command-log';
import { BatchResult, ConfigOperationResult, RollbackResult } from '../state/command-results';
import { Command, CommandOutcome, ConfigOperation } from '../state/commands';
import { StateReader } from '../state/state-view';

/** One change of one config, as watchers see it (WATCH-API.md). */
export interface WatchChange {
  namespace: string;
  key: string;
  op: 'create' | 'update' | 'delete';
  version: number;
  /** The value as GET /api/v1/config/get answers it; null on delete. */
  value: unknown;
}

/** One committed log entry that changed configs (DESIGN 24): `revision` is its index. */
export interface WatchEvent {
  revision: number;
  changes: WatchChange[];
}

/** What a watcher without a usable start point gets first: every matching live config. */
export interface WatchSnapshot {
  revision: number;
  configs: Array<{ namespace: string; key: string; version: number; value: unknown }>;
}

/**
 * The value a change carries: the view's parsed value when the view still shows that version
 * (no second parse of a large value), else the command's text parsed once.
 */
function valueOf(
  reader: StateReader,
  namespace: string,
  key: string,
  version: number,
  valueText: string,
): unknown {
  const namespaceRecord = reader.namespaceByName(namespace);
  const current = namespaceRecord && reader.config(namespaceRecord.id, key);
  if (current && current.version === version && !current.deleted) return current.value;
  return JSON.parse(valueText) as unknown;
}

function changeOf(
  reader: StateReader,
  operation: ConfigOperation,
  result: ConfigOperationResult,
): WatchChange {
  const { namespace, key, version } = result;
  if (operation.op === 'delete') return { namespace, key, op: 'delete', version, value: null };
  const created = 'old_version' in result && result.old_version === null;
  return {
    namespace,
    key,
    op: created ? 'create' : 'update',
    version,
    value: valueOf(reader, namespace, key, version, operation.valueText),
  };
}

function changesOfBatchResult(
  reader: StateReader,
  operations: readonly ConfigOperation[],
  value: BatchResult,
): WatchChange[] {
  return value.results.map((result, position) => changeOf(reader, operations[position], result));
}

/** The config changes one applied command made, from the command and apply's result. */
export function changesOf(
  reader: StateReader,
  command: Command,
  outcome: CommandOutcome,
  index: number,
): WatchChange[] {
  // A failure changed nothing; an idempotent repeat answers an older entry's outcome.
  if (!outcome.ok || outcome.revision !== index) return [];
  switch (command.type) {
    case 'WriteConfig':
      return [changeOf(reader, command.operation, outcome.value as ConfigOperationResult)];
    case 'WriteBatch':
      return changesOfBatchResult(reader, command.operations, outcome.value as BatchResult);
    case 'BootstrapSystem': {
      // Only the settings that were missing were written (system-namespace.ts), in order.
      const value = outcome.value as BatchResult;
      const byKey = new Map(command.settings.map((setting) => [setting.key, setting]));
      return value.results.map((result) =>
        changeOf(
          reader,
          {
            op: 'create',
            namespace: result.namespace,
            key: result.key,
            valueText: byKey.get(result.key)?.valueText ?? 'null',
          },
          result,
        ),
      );
    }
    case 'RollbackConfig': {
      const value = outcome.value as RollbackResult;
      return [
        {
          namespace: value.namespace,
          key: value.key,
          op: 'update',
          version: value.current_version,
          value: valueOf(
            reader,
            value.namespace,
            value.key,
            value.current_version,
            command.valueText,
          ),
        },
      ];
    }
    case 'CreateNamespace':
    case 'UpdateNamespace':
    case 'DeleteNamespace':
    case 'SetVersionKept':
    case 'PruneVersions':
    case 'CreateToken':
    case 'RevokeToken':
    case 'RotateToken':
      // No config value changes (a disabled or deleted namespace ends its watchers instead).
      return [];
  }
}

/** One event per entry that changed configs; `reader` is the view that already shows the batch. */
export function eventsOfBatch(batch: AppliedBatch, reader: StateReader): WatchEvent[] {
  const events: WatchEvent[] = [];
  for (const { index, command, outcome } of batch.commands) {
    const changes = changesOf(reader, command, outcome, index);
    if (changes.length > 0) events.push({ revision: index, changes });
  }
  return events;
}
