import { ConfigNotFound, NamespaceNotFound } from '@cc/common';
import { PruneResult, VersionKeptResult } from '../command-results';
import { PruneVersions, SetVersionKept } from '../commands';
import { StateTransaction } from '../mutations';
import { ApplyContext } from './apply-context';
import { IDEMPOTENCY_WINDOW_MS } from './idempotency';

export async function setVersionKept(
  context: ApplyContext,
  command: SetVersionKept,
  tx: StateTransaction,
): Promise<VersionKeptResult> {
  const namespace = context.view.namespaceByName(command.namespace);
  if (!namespace) throw new NamespaceNotFound(command.namespace);
  const config = context.view.config(namespace.id, command.key);
  if (!config) throw new ConfigNotFound(command.namespace, command.key);
  const [touched] = await tx.execute([
    { kind: 'setVersionKept', configId: config.id, version: command.version, kept: command.kept },
  ]);
  if (touched === 0) throw new ConfigNotFound(command.namespace, command.key, command.version);
  return {
    namespace: command.namespace,
    key: command.key,
    version: command.version,
    kept: command.kept,
  };
}

/** The retention job: old versions, and idempotency records past their window. */
export async function pruneVersions(
  command: PruneVersions,
  tx: StateTransaction,
): Promise<PruneResult> {
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
