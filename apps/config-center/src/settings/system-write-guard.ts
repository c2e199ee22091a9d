import { AppError, ErrorCode, Forbidden, ServiceUnavailable, ValidationFailed } from '@cc/common';
import { Command, ConfigOperation } from '../state/commands';
import { StateReader } from '../state/state-view';
import { SYSTEM_NAMESPACE } from '../state/system-namespace';
import { SettingsRegistry } from './settings-registry';

/**
 * The edge's checks of a write that touches `_system` (DESIGN 15), run before it is proposed:
 * every value against its key's schema (40002 with ajv's errors as details), unknown keys
 * refused (40002: the body names a setting that does not exist), and what apply refuses
 * anyway (delete a key, delete or disable the namespace) refused here with the same 40301, so
 * such a write costs no log entry. Writes elsewhere pass untouched, at the cost of a string
 * compare per operation.
 */
export class SystemWriteGuard {
  constructor(
    private readonly registry: SettingsRegistry,
    private readonly reader: () => StateReader,
  ) {}

  check(command: Command): void {
    switch (command.type) {
      case 'WriteConfig':
        return this.checkOperation(command.operation, 'value');
      case 'WriteBatch':
        if (
          command.createNamespace?.name === SYSTEM_NAMESPACE &&
          !this.reader().namespaceByName(SYSTEM_NAMESPACE)
        )
          throw new ServiceUnavailable(`${SYSTEM_NAMESPACE} is not created yet; retry shortly`);
        command.operations.forEach((operation, index) =>
          this.checkOperation(operation, `operations.${index}.value`),
        );
        return;
      case 'RollbackConfig':
        // The target version was valid when written; the schema of this build decides now.
        if (command.namespace === SYSTEM_NAMESPACE)
          this.checkValue(command.key, command.valueText, 'target_version');
        return;
      case 'UpdateNamespace':
      case 'DeleteNamespace': {
        const namespace = this.reader().namespaceById(command.id);
        if (namespace?.name !== SYSTEM_NAMESPACE) return;
        if (command.type === 'DeleteNamespace' || (command.status ?? 1) !== 1)
          throw new Forbidden({
            namespace: SYSTEM_NAMESPACE,
            reason: `${SYSTEM_NAMESPACE} cannot be deleted or disabled`,
          });
        return;
      }
      case 'CreateNamespace': // reserved names are refused by namespace/ already
      case 'SetVersionKept':
      case 'PruneVersions':
      case 'BootstrapSystem':
      case 'CreateToken':
      case 'RevokeToken':
      case 'RotateToken':
        return;
    }
  }

  private checkOperation(operation: ConfigOperation, field: string): void {
    if (operation.namespace !== SYSTEM_NAMESPACE) return;
    if (operation.op === 'delete') {
      this.known(operation.key);
      throw new AppError(
        ErrorCode.FORBIDDEN,
        `setting ${SYSTEM_NAMESPACE}/${operation.key} cannot be deleted; write its default to reset it`,
        { namespace: SYSTEM_NAMESPACE, key: operation.key },
      );
    }
    this.checkValue(operation.key, operation.valueText, field);
  }

  private checkValue(key: string, valueText: string, field: string): void {
    const refusal = this.registry.check(this.known(key), JSON.parse(valueText), field);
    if (refusal) throw refusal;
  }

  private known(key: string): ReturnType<SettingsRegistry['keys']>[number] {
    if (this.registry.isRegistered(key)) return key;
    throw new ValidationFailed(
      [
        {
          field: 'key',
          errors: [`unknown setting; the settings are ${this.registry.keys().join(', ')}`],
        },
      ],
      `${SYSTEM_NAMESPACE} has no setting ${key}`,
    );
  }
}
