import { Command, ConfigDelete, ConfigOperation, WriteConfig } from './commands';
import { NamespaceRecord, TokenRole } from './records';

/**
 * What apply returns for each command: the value of a successful outcome, in the API's field
 * names (it is answered as it is, and stored for idempotent repeats).
 */
export interface ConfigPutResult {
  id: number;
  namespace: string;
  key: string;
  version: number;
  old_version: number | null;
  revision: number;
}

export interface ConfigDeleteResult {
  namespace: string;
  key: string;
  version: number;
  revision: number;
}

export type ConfigOperationResult<O extends ConfigOperation = ConfigOperation> =
  O extends ConfigDelete ? ConfigDeleteResult : ConfigPutResult;

export interface BatchResult {
  results: ConfigOperationResult[];
  created_namespace: string | null;
}

export interface DeletedNamespace {
  id: number;
  name: string;
}

export interface RollbackResult {
  namespace: string;
  key: string;
  current_version: number;
  previous_version: number;
  target_version: number;
  revision: number;
}

export interface VersionKeptResult {
  namespace: string;
  key: string;
  version: number;
  kept: boolean;
}

export interface PruneResult {
  deleted_versions: number;
  forgotten_request_ids: number;
  keep_latest: number;
  older_than: number;
}

/** A token as the API shows it: never its secret nor its hash. */
export interface TokenView {
  id: number;
  client_id: string;
  role: TokenRole;
  namespaces: readonly string[] | '*';
  expires_at: string | null;
  revoked_at: string | null;
  previous_valid_until: string | null;
  created_by: string;
  created_at: string;
  revision: number;
}

/** `created` is false for a bootstrap that found an admin token already there. */
export type CreatedToken = TokenView & { created: boolean };

interface ResultOfCommand {
  CreateToken: CreatedToken;
  RevokeToken: TokenView;
  RotateToken: TokenView;
  CreateNamespace: NamespaceRecord;
  UpdateNamespace: NamespaceRecord;
  DeleteNamespace: DeletedNamespace;
  WriteConfig: ConfigOperationResult;
  WriteBatch: BatchResult;
  BootstrapSystem: BatchResult;
  RollbackConfig: RollbackResult;
  SetVersionKept: VersionKeptResult;
  PruneVersions: PruneResult;
}

/**
 * The result of `command` (indexing by its type: a new command does not compile until it has
 * one); a single config write's follows from its operation.
 */
export type CommandResult<C extends Command> = C extends WriteConfig
  ? ConfigOperationResult<C['operation']>
  : ResultOfCommand[C['type']];

/**
 * The value of a successful outcome of `command`. The log carries outcomes untyped (they cross
 * processes and the database as JSON); apply produced this value for this command, each
 * command's apply function being declared with its entry of ResultOfCommand.
 */
export function resultOf<C extends Command>(
  _command: C,
  outcome: { ok: true; value: unknown },
): CommandResult<C> {
  return outcome.value as CommandResult<C>;
}
