import { AppliedBatch } from '../state/command-log';
import { Command } from '../state/commands';
import { SYSTEM_NAMESPACE } from '../state/system-namespace';

/** What one applied batch changed that the cache mirrors or must forget. */
export interface AppliedChanges {
  /** Namespace name -> keys whose latest value changed (written, rolled back or deleted). */
  configs: Map<string, Set<string>>;
  /** Keys whose version list changed without a new version (a version kept or let go). */
  versionLists: Map<string, Set<string>>;
  /** Old versions were pruned at these entries (all but the latest `keepLatest` of each key). */
  prunes: Array<{ index: number; keepLatest: number }>;
  /** Entry indexes whose write the cache fills (the acknowledgement may wait for them). */
  filledIndexes: number[];
}

/** Reads the batch's commands (DESIGN 24: one event per log entry); refusals changed nothing. */
export function appliedChanges(batch: AppliedBatch): AppliedChanges {
  const changes: AppliedChanges = {
    configs: new Map(),
    versionLists: new Map(),
    prunes: [],
    filledIndexes: [],
  };
  for (const { index, command, outcome } of batch.commands) {
    if (!outcome.ok) continue;
    const written = writtenKeys(command);
    for (const [namespace, key] of written) add(changes.configs, namespace, key);
    if (written.some(([namespace]) => namespace !== SYSTEM_NAMESPACE))
      changes.filledIndexes.push(index);
    if (command.type === 'SetVersionKept')
      add(changes.versionLists, command.namespace, command.key);
    if (command.type === 'PruneVersions') {
      changes.prunes.push({ index, keepLatest: command.keepLatest });
      changes.filledIndexes.push(index);
    }
  }
  return changes;
}

/** Keys (not of `_system`) whose version list changed: a new version, or one kept or let go. */
export function changedVersionLists(changes: AppliedChanges): Map<string, Set<string>> {
  const changed = new Map<string, Set<string>>();
  for (const map of [changes.configs, changes.versionLists])
    for (const [namespace, keys] of map)
      if (namespace !== SYSTEM_NAMESPACE) for (const key of keys) add(changed, namespace, key);
  return changed;
}

function writtenKeys(command: Command): Array<[string, string]> {
  switch (command.type) {
    case 'WriteConfig':
      return [[command.operation.namespace, command.operation.key]];
    case 'WriteBatch':
      return command.operations.map((operation) => [operation.namespace, operation.key]);
    case 'RollbackConfig':
      return [[command.namespace, command.key]];
    case 'BootstrapSystem':
      return command.settings.map((setting) => [SYSTEM_NAMESPACE, setting.key]);
    case 'CreateNamespace':
    case 'UpdateNamespace':
    case 'DeleteNamespace':
    case 'SetVersionKept':
    case 'PruneVersions':
    case 'CreateToken':
    case 'RevokeToken':
    case 'RotateToken':
      return [];
  }
}

function add(map: Map<string, Set<string>>, namespace: string, key: string): void {
  let keys = map.get(namespace);
  if (!keys) map.set(namespace, (keys = new Set()));
  keys.add(key);
}
