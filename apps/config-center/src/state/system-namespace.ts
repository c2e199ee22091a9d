import { ErrorCode, Forbidden } from '@cc/common';
import type {
  BootstrapSystem,
  CommandFailure,
  ConfigOperation,
  DeleteNamespace,
  UpdateNamespace,
  WriteBatch,
} from './commands';
import { NamespaceRecord } from './records';
import { StateReader } from './state-view';
import { SYSTEM_NAMESPACE } from '../common/system-namespace-name';

/**
 * DESIGN 15: the reserved namespace of the typed settings (settings/). Apply knows only the
 * rules that hold whatever build runs it: the namespace stays, enabled, and its keys are never
 * deleted. The schemas of the keys are checked at the edge, before proposing: a schema is code,
 * and two builds of a rolling upgrade must apply the same log to the same rows.
 */
export { SYSTEM_NAMESPACE };
export const SYSTEM_NAMESPACE_DESCRIPTION =
  'typed runtime settings (DESIGN 15): admin only, each key checked against its JSON Schema';

/**
 * BootstrapSystem as the batch it amounts to on the state it meets: `_system` when missing and
 * every key of the command that is not live yet, at its default. Keys already there keep
 * their values, so a retried or repeated bootstrap (a new leader, a later build with one more
 * key) adds only what is missing, and changes nothing at all when nothing is.
 */
export function bootstrapAsBatch(reader: StateReader, command: BootstrapSystem): WriteBatch {
  const namespace = reader.namespaceByName(SYSTEM_NAMESPACE);
  const missing = command.settings.filter(({ key }) => {
    const current = namespace && reader.config(namespace.id, key);
    return !current || current.deleted;
  });
  return {
    type: 'WriteBatch',
    at: command.at,
    operator: command.operator,
    createNamespace: namespace
      ? undefined
      : { name: SYSTEM_NAMESPACE, description: SYSTEM_NAMESPACE_DESCRIPTION },
    operations: missing.map(({ key, valueText, description }): ConfigOperation => ({
      op: 'create',
      namespace: SYSTEM_NAMESPACE,
      key,
      valueText,
      description,
    })),
  };
}

const refusal = (message: string, details: Record<string, unknown>): CommandFailure => ({
  code: ErrorCode.FORBIDDEN,
  message,
  details: { namespace: SYSTEM_NAMESPACE, ...details },
});

/** `_system` cannot be deleted or disabled, however the command arrived. */
export function systemNamespaceRefusal(
  current: NamespaceRecord,
  command: UpdateNamespace | DeleteNamespace,
): CommandFailure | undefined {
  if (current.name !== SYSTEM_NAMESPACE) return undefined;
  if (command.type === 'DeleteNamespace')
    return refusal(`namespace ${SYSTEM_NAMESPACE} cannot be deleted`, { reason: 'system' });
  if (command.status !== undefined && command.status !== 1)
    return refusal(`namespace ${SYSTEM_NAMESPACE} cannot be disabled`, { reason: 'system' });
  return undefined;
}

/** A setting is reset by writing its default, never deleted (its readers would lose it). */
export function systemKeyDeleteRefusal(operation: ConfigOperation): CommandFailure | undefined {
  if (operation.op !== 'delete' || operation.namespace !== SYSTEM_NAMESPACE) return undefined;
  return refusal(
    `setting ${SYSTEM_NAMESPACE}/${operation.key} cannot be deleted; write its default to reset it`,
    { key: operation.key },
  );
}

/** Throws the refusal a rule above decided, as the typed error apply fails with. */
export function refuse(failure: CommandFailure | undefined): void {
  if (failure) throw new Forbidden(failure.details, failure.message);
}
