import { ValidationFailed } from '@cc/common';
import { TOKEN_ROLES, TokenRole } from './records';

/**
 * Every write is one of these plain objects (DESIGN 2, STYLE "Inside"). The proposer fills in
 * time, operator and request id, so apply is a pure function of the command and the state
 * before it (DESIGN 11). Values travel as JSON text, validated before proposing.
 */
interface CommandMeta {
  /** Milliseconds since the epoch, chosen by the proposer. */
  at: number;
  operator: string;
  /** The client's Idempotency-Key, scoped and fingerprinted at the edge (DESIGN 12). */
  idempotency?: IdempotencyClaim;
  /**
   * Entries proposed before keys were scoped carry the bare key (X-Request-Id or
   * Idempotency-Key); replaying such a log keeps its old meaning (scope '', no fingerprint).
   */
  idempotencyKey?: string;
  /** Who asked for the change and from where: stored with the change's row (audit). */
  origin?: ChangeOrigin;
}

/**
 * The audit fields of a change (spec 3.7.2), chosen at the edge and carried by the command, so
 * every replica stores the same row. Each text is cut to its ORIGIN_LIMITS bound before it is
 * proposed (the columns are that wide on every engine). Never a credential.
 */
export interface ChangeOrigin {
  /** The authenticated caller (the token's client id); null when nobody was authenticated. */
  clientId: string | null;
  /** X-Operator: who the caller says it acts for. Untrusted, kept as a label (DESIGN 21). */
  onBehalfOf: string | null;
  clientIp: string | null;
  userAgent: string | null;
  requestId: string;
  /** `METHOD /route/template`. */
  endpoint: string;
  /** The node that received the request. */
  nodeId: string;
}

/** The widest value of each origin field (and of its column). */
export const ORIGIN_LIMITS = {
  clientId: 128,
  onBehalfOf: 64,
  clientIp: 64,
  userAgent: 256,
  requestId: 200,
  endpoint: 160,
  nodeId: 64,
} as const satisfies Record<keyof ChangeOrigin, number>;

/**
 * DESIGN 12: a write under an Idempotency-Key. The record of its first outcome is identified
 * by (scope, key); a repeat with the same fingerprint is answered with that outcome, one with
 * another fingerprint is refused (42201). Everything is computed by the proposer, so apply
 * only compares strings.
 */
export interface IdempotencyClaim {
  key: string;
  /** Who called which endpoint: `<caller id> <METHOD> <route template>`. */
  scope: string;
  /** SHA-256 (hex) of method, route template, path and query parameters and canonical body. */
  fingerprint: string;
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;
export const MAX_IDEMPOTENCY_SCOPE_LENGTH = 255;
/** Visible ASCII: what a header carries unchanged and a log line shows as it is. */
export const IDEMPOTENCY_KEY_PATTERN = new RegExp(
  `^[\\x21-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`,
);

export interface CreateNamespace extends CommandMeta {
  type: 'CreateNamespace';
  name: string;
  description: string | null;
}

export interface UpdateNamespace extends CommandMeta {
  type: 'UpdateNamespace';
  id: number;
  description?: string | null;
  status?: number;
}

export interface DeleteNamespace extends CommandMeta {
  type: 'DeleteNamespace';
  id: number;
}

export interface ConfigPut {
  op: 'create' | 'update' | 'upsert';
  namespace: string;
  key: string;
  valueText: string;
  description?: string | null;
  /** Optimistic concurrency (etcd's compare, Consul's cas): the version the caller last saw. */
  expectedVersion?: number;
}

export interface ConfigDelete {
  op: 'delete';
  namespace: string;
  key: string;
  expectedVersion?: number;
}

export type ConfigOperation = ConfigPut | ConfigDelete;

export interface WriteConfig extends CommandMeta {
  type: 'WriteConfig';
  operation: ConfigOperation;
}

/** All or nothing: if one operation fails, none is applied. */
export interface WriteBatch extends CommandMeta {
  type: 'WriteBatch';
  operations: ConfigOperation[];
  /** Import: create the namespace first when it is missing. */
  createNamespace?: { name: string; description: string | null };
}

export interface RollbackConfig extends CommandMeta {
  type: 'RollbackConfig';
  namespace: string;
  key: string;
  targetVersion: number;
  /** The target version's value, read by the proposer from config_version. */
  valueText: string;
  expectedVersion?: number;
}

export interface SetVersionKept extends CommandMeta {
  type: 'SetVersionKept';
  namespace: string;
  key: string;
  version: number;
  kept: boolean;
}

/** Spec 3.6 retention: keep the latest N, keep versions younger than M days, keep marked ones. */
export interface PruneVersions extends CommandMeta {
  type: 'PruneVersions';
  keepLatest: number;
  /** Versions created before this instant (ms) are candidates; 0 disables the age rule. */
  olderThan: number;
}

/**
 * DESIGN 21: a token is created with the SHA-256 of its secret, chosen at the edge; the secret
 * itself never enters the log. `bootstrap` creates the first admin token only if no admin
 * token is active yet (a cluster's leaders may race to bootstrap; one wins).
 */
export interface CreateToken extends CommandMeta {
  type: 'CreateToken';
  clientId: string;
  role: TokenRole;
  namespaces: string[] | '*';
  secretHash: string;
  expiresAt: number | null;
  bootstrap?: boolean;
}

export interface RevokeToken extends CommandMeta {
  type: 'RevokeToken';
  id: number;
}

/** A new secret; the previous one stays valid until `previousValidUntil` (ms, may be `at`). */
export interface RotateToken extends CommandMeta {
  type: 'RotateToken';
  id: number;
  secretHash: string;
  previousValidUntil: number;
}

/**
 * DESIGN 15: creates `_system` when missing and writes every registered setting not there yet
 * at its default, in one entry (state/system-namespace.ts). Proposed by the single node at
 * start and by a cluster's leader; idempotent in apply.
 */
export interface BootstrapSystem extends CommandMeta {
  type: 'BootstrapSystem';
  settings: Array<{ key: string; valueText: string; description: string | null }>;
}

export type Command =
  | CreateToken
  | RevokeToken
  | RotateToken
  | CreateNamespace
  | UpdateNamespace
  | DeleteNamespace
  | WriteConfig
  | WriteBatch
  | RollbackConfig
  | SetVersionKept
  | PruneVersions
  | BootstrapSystem;

export type CommandType = Command['type'];

/** An error decided by apply: part of the replicated result, identical on every node. */
export interface CommandFailure {
  code: number;
  message: string;
  details?: unknown;
}

export type CommandOutcome<T = unknown> =
  { ok: true; revision: number; value: T } | { ok: false; revision: number; error: CommandFailure };

export function encodeCommand(command: Command): Buffer {
  return Buffer.from(JSON.stringify(command), 'utf8');
}

/**
 * The largest write one log entry may hold. Its `raft_log` row travels as hex (twice the
 * bytes) in one statement, and MySQL refuses packets above max_allowed_packet (16 MiB by
 * default): a larger entry would fail to persist on every replica at once, and a replica that
 * cannot persist stops. Refused at the proposer instead, before anything is written.
 */
export const MAX_COMMAND_BYTES = 7 * 1024 * 1024;

/** encodeCommand for a new proposal: 40002 when it is too large for one entry. */
export function encodeProposal(command: Command): Buffer {
  const data = encodeCommand(command);
  if (data.length > MAX_COMMAND_BYTES) {
    const message = `this write is ${data.length} bytes once encoded; one replicated write holds at most ${MAX_COMMAND_BYTES} bytes (split it into smaller batches)`;
    throw new ValidationFailed([{ field: '(body)', errors: [message] }], message);
  }
  return data;
}

export function decodeCommand(data: Buffer | string): Command {
  return JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as Command;
}

const isText = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isOptional = (value: unknown, check: (v: unknown) => boolean): boolean =>
  value === undefined || check(value);
/** A bad claim would fail its row's INSERT on every replica at once: refused before the log. */
const isIdempotencyClaim = (value: unknown): boolean => {
  const claim = value as Record<string, unknown>;
  return (
    typeof claim === 'object' &&
    claim !== null &&
    isText(claim.key) &&
    IDEMPOTENCY_KEY_PATTERN.test(claim.key) &&
    isText(claim.scope) &&
    claim.scope.length > 0 &&
    claim.scope.length <= MAX_IDEMPOTENCY_SCOPE_LENGTH &&
    isText(claim.fingerprint) &&
    /^[0-9a-f]{64}$/.test(claim.fingerprint)
  );
};
const isSecretHash = (value: unknown): boolean => isText(value) && /^[0-9a-f]{64}$/.test(value);
const isJsonText = (value: unknown): boolean => {
  if (!isText(value)) return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
};

function isOperation(value: unknown): boolean {
  const op = value as Record<string, unknown>;
  if (typeof op !== 'object' || op === null || !isText(op.namespace) || !isText(op.key))
    return false;
  if (!isOptional(op.expectedVersion, isCount)) return false;
  if (op.op === 'delete') return true;
  return ['create', 'update', 'upsert'].includes(op.op as string) && isJsonText(op.valueText);
}

const isBoundedText = (value: unknown, limit: number, nullable: boolean): boolean =>
  (nullable && value === null) || (isText(value) && Array.from(value).length <= limit);
const NULLABLE_ORIGIN_FIELDS = new Set(['clientId', 'onBehalfOf', 'clientIp', 'userAgent']);
/** An origin wider than its columns would fail its row's INSERT on every replica. */
const isChangeOrigin = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  Object.entries(ORIGIN_LIMITS).every(([field, limit]) =>
    isBoundedText(
      (value as Record<string, unknown>)[field],
      limit,
      NULLABLE_ORIGIN_FIELDS.has(field),
    ),
  );

/**
 * Shape check for a command that arrives from another node (a forwarded proposal): once in the
 * log, a malformed command would be applied by every replica, so it is refused before that.
 */
export function isWellFormedCommand(value: unknown): value is Command {
  const command = value as Record<string, unknown>;
  if (
    typeof command !== 'object' ||
    command === null ||
    !isCount(command.at) ||
    !isText(command.operator)
  )
    return false;
  if (command.idempotencyKey !== undefined) return false; // only old entries carry it
  if (!isOptional(command.idempotency, isIdempotencyClaim)) return false;
  if (!isOptional(command.origin, isChangeOrigin)) return false;
  switch (command.type) {
    case 'CreateNamespace':
      return isText(command.name);
    case 'UpdateNamespace':
    case 'DeleteNamespace':
      return isCount(command.id);
    case 'WriteConfig':
      return isOperation(command.operation);
    case 'WriteBatch':
      return Array.isArray(command.operations) && command.operations.every(isOperation);
    case 'RollbackConfig':
      return (
        isText(command.namespace) &&
        isText(command.key) &&
        isCount(command.targetVersion) &&
        isJsonText(command.valueText)
      );
    case 'SetVersionKept':
      return (
        isText(command.namespace) &&
        isText(command.key) &&
        isCount(command.version) &&
        typeof command.kept === 'boolean'
      );
    case 'PruneVersions':
      return isCount(command.keepLatest) && isCount(command.olderThan);
    case 'CreateToken':
      return (
        isText(command.clientId) &&
        TOKEN_ROLES.includes(command.role as TokenRole) &&
        (command.namespaces === '*' ||
          (Array.isArray(command.namespaces) && command.namespaces.every(isText))) &&
        isSecretHash(command.secretHash) &&
        (command.expiresAt === null || isCount(command.expiresAt)) &&
        isOptional(command.bootstrap, (value) => typeof value === 'boolean')
      );
    case 'RevokeToken':
      return isCount(command.id);
    case 'RotateToken':
      return (
        isCount(command.id) &&
        isSecretHash(command.secretHash) &&
        isCount(command.previousValidUntil)
      );
    case 'BootstrapSystem':
      return (
        Array.isArray(command.settings) &&
        command.settings.every(
          (setting: Record<string, unknown>) =>
            isText(setting?.key) && isJsonText(setting.valueText),
        )
      );
    default:
      return false;
  }
}
