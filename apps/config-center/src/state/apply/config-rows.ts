import { ValidationFailed } from '@cc/common';
import { ConfigRecord, HistoryRecord, NamespaceRecord } from '../records';
import { ApplyContext } from './apply-context';

export interface ConfigChange {
  valueText: string;
  deleted: boolean;
  description?: string | null;
}

/** Proposers send valid JSON; a malformed entry fails alike on every replica instead of crashing them. */
function parseValue(valueText: string): unknown {
  try {
    return JSON.parse(valueText) as unknown;
  } catch {
    throw new ValidationFailed(undefined, 'value is not valid JSON');
  }
}

/**
 * The rows of one change to a config: its new state, the namespace's revision, a history row
 * and (unless it is a delete) a version row. Versions continue across a delete (DESIGN 13).
 */
export function saveConfig(
  context: ApplyContext,
  namespace: NamespaceRecord,
  key: string,
  current: ConfigRecord | undefined,
  change: ConfigChange,
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
