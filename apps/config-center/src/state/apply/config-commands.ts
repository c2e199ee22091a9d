import {
  BatchOperationFailed,
  ConfigKeyExists,
  ConfigNotFound,
  isRefusal,
  NamespaceDisabled,
  NamespaceNotFound,
  ValidationFailed,
  VersionConflict,
} from '@cc/common';
import {
  BatchResult,
  ConfigDeleteResult,
  ConfigOperationResult,
  ConfigPutResult,
  RollbackResult,
} from '../command-results';
import { ConfigOperation, RollbackConfig, WriteBatch, WriteConfig } from '../commands';
import { ConfigRecord, NamespaceRecord } from '../records';
import { refuse, systemKeyDeleteRefusal } from '../system-namespace';
import { ApplyContext } from './apply-context';
import { saveConfig } from './config-rows';
import { addNamespace } from './namespace-commands';

export function writeConfig(context: ApplyContext, command: WriteConfig): ConfigOperationResult {
  return applyOperation(context, command.operation);
}

/** All or nothing: the first refused operation fails the whole batch, saying which it was. */
export function writeBatch(context: ApplyContext, command: WriteBatch): BatchResult {
  let createdNamespace: NamespaceRecord | undefined;
  if (command.createNamespace && !context.view.namespaceByName(command.createNamespace.name)) {
    createdNamespace = addNamespace(
      context,
      command.createNamespace.name,
      command.createNamespace.description,
    );
  }
  const results = command.operations.map((operation, position) => {
    try {
      return applyOperation(context, operation);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      const label = `${operation.op} ${operation.namespace}/${operation.key}`;
      throw new BatchOperationFailed(position, label, error);
    }
  });
  return { results, created_namespace: createdNamespace?.name ?? null };
}

export function rollback(context: ApplyContext, command: RollbackConfig): RollbackResult {
  const namespace = writableNamespace(context, command.namespace);
  const current = context.view.config(namespace.id, command.key);
  checkExpected(current, command.expectedVersion, command.namespace, command.key);
  if (!current) throw new ConfigNotFound(command.namespace, command.key);
  if (command.targetVersion >= current.version) {
    throw new ValidationFailed(
      undefined,
      `target_version must be below the current version ${current.version}`,
    );
  }
  const saved = saveConfig(
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
    previous_version: current.version,
    target_version: command.targetVersion,
    revision: context.index,
  };
}

function writableNamespace(context: ApplyContext, name: string): NamespaceRecord {
  const namespace = context.view.namespaceByName(name);
  if (!namespace) throw new NamespaceNotFound(name, { namespace: name });
  if (namespace.status !== 1) throw new NamespaceDisabled(name, namespace.status);
  return namespace;
}

function checkExpected(
  current: ConfigRecord | undefined,
  expected: number | undefined,
  namespace: string,
  key: string,
): void {
  if (expected === undefined) return;
  const actual = current && !current.deleted ? current.version : 0;
  if (actual !== expected) throw new VersionConflict(namespace, key, actual, expected);
}

function applyOperation(context: ApplyContext, operation: ConfigOperation): ConfigOperationResult {
  refuse(systemKeyDeleteRefusal(operation));
  const namespace = writableNamespace(context, operation.namespace);
  const current = context.view.config(namespace.id, operation.key);
  const live = current && !current.deleted ? current : undefined;
  checkExpected(current, operation.expectedVersion, operation.namespace, operation.key);

  if (operation.op === 'delete') {
    if (!live) throw new ConfigNotFound(operation.namespace, operation.key);
    const deleted = saveConfig(
      context,
      namespace,
      operation.key,
      live,
      { valueText: '', deleted: true },
      'DELETE',
    );
    const result: ConfigDeleteResult = {
      namespace: namespace.name,
      key: operation.key,
      version: deleted.version,
      revision: context.index,
    };
    return result;
  }
  if (operation.op === 'create' && live)
    throw new ConfigKeyExists(operation.namespace, operation.key);
  if (operation.op === 'update' && !live)
    throw new ConfigNotFound(operation.namespace, operation.key);
  const saved = saveConfig(
    context,
    namespace,
    operation.key,
    current,
    { valueText: operation.valueText, deleted: false, description: operation.description },
    live ? 'UPDATE' : 'CREATE',
  );
  const result: ConfigPutResult = {
    id: saved.id,
    namespace: namespace.name,
    key: saved.key,
    version: saved.version,
    old_version: live ? live.version : null,
    revision: context.index,
  };
  return result;
}
