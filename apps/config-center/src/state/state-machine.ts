import { BadParameter, IdempotencyKeyReused, isRefusal, toReplicatedFailure } from '@cc/common';
import { auditEventOf } from './audit-event';
import { Command, CommandOutcome } from './commands';
import { StateTransaction } from './mutations';
import { ViewOverlay } from './state-view';
import { bootstrapAsBatch } from './system-namespace';
import { ApplyContext, IdAllocator } from './apply/apply-context';
import { rollback, writeBatch, writeConfig } from './apply/config-commands';
import { IDEMPOTENCY_WINDOW_MS, idempotencyOf } from './apply/idempotency';
import { createNamespace, deleteNamespace, updateNamespace } from './apply/namespace-commands';
import { createToken, revokeToken, rotateToken } from './apply/token-commands';
import { pruneVersions, setVersionKept } from './apply/version-commands';

export { ID_STRIDE, MAX_OPERATIONS_PER_ENTRY } from './apply/apply-context';
export { IDEMPOTENCY_WINDOW_MS } from './apply/idempotency';

/**
 * The deterministic state machine: `apply` turns one committed command into row mutations and
 * view changes, using nothing but the command, the entry index and the state before it.
 * Business preconditions are checked here, so every replica reaches the same outcome: a
 * precondition that does not hold throws a typed error of `@cc/common` (a refusal, 4xx), which
 * becomes the outcome's plain-JSON failure; anything else thrown is this node's trouble.
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
        return { ok: false, revision: index, error: toReplicatedFailure(refusal) };
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
      if (!isRefusal(error)) throw error;
      outcome = { ok: false, revision: index, error: toReplicatedFailure(error) };
    }
    if (claim) await tx.rememberOutcome(claim, claim.fingerprint, outcome, command.at);
    return outcome;
  }

  private async dispatch(context: ApplyContext, tx: StateTransaction): Promise<unknown> {
    const { command } = context;
    switch (command.type) {
      case 'CreateNamespace':
        return this.flush(context, tx, createNamespace(context, command));
      case 'UpdateNamespace':
        return this.flush(context, tx, updateNamespace(context, command));
      case 'DeleteNamespace':
        return this.flush(context, tx, deleteNamespace(context, command));
      case 'WriteConfig':
        return this.flush(context, tx, writeConfig(context, command));
      case 'WriteBatch':
        return this.flush(context, tx, writeBatch(context, command));
      case 'RollbackConfig':
        return this.flush(context, tx, rollback(context, command));
      case 'SetVersionKept':
        return setVersionKept(context, command, tx);
      case 'PruneVersions':
        return pruneVersions(command, tx);
      case 'BootstrapSystem':
        return this.flush(
          context,
          tx,
          writeBatch(context, bootstrapAsBatch(context.view, command)),
        );
      case 'CreateToken':
        return this.flush(context, tx, createToken(context, command));
      case 'RevokeToken':
        return this.flush(context, tx, revokeToken(context, command));
      case 'RotateToken':
        return this.flush(context, tx, rotateToken(context, command));
      default:
        // A committed entry this build does not know: refuse it the same way on every replica.
        throw new BadParameter(
          undefined,
          `unknown command ${(command as { type?: unknown }).type}`,
        );
    }
  }

  private async flush<T>(context: ApplyContext, tx: StateTransaction, value: T): Promise<T> {
    if (context.mutations.length > 0) await tx.execute(context.mutations);
    return value;
  }
}
