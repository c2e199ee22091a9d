import { ChangeOrigin, Command } from './commands';

/**
 * A change that has no row of its own to carry its origin (a namespace created, updated or
 * deleted, a version kept, a cleanup): one `audit_event` row, written by apply like any other row, so every replica has
 * it. Config changes carry their origin on their `config_history` row instead (no extra row
 * on the write path).
 */
export interface AuditEventRecord {
  id: number;
  revision: number;
  createdAt: number;
  /** `namespace.create`, `namespace.update`, `namespace.delete`, `config.version_keep`... */
  action: string;
  namespaceId: number | null;
  namespace: string | null;
  configKey: string | null;
  operator: string;
  origin: ChangeOrigin | null;
}

const EVENT_ACTIONS: Partial<Record<Command['type'], string>> = {
  CreateNamespace: 'namespace.create',
  UpdateNamespace: 'namespace.update',
  DeleteNamespace: 'namespace.delete',
  SetVersionKept: 'config.version_keep',
  PruneVersions: 'config.cleanup',
  CreateToken: 'token.create',
  RevokeToken: 'token.revoke',
  RotateToken: 'token.rotate',
};

/**
 * The audit event a successful command leaves, or undefined for a command whose rows carry
 * their origin themselves (config writes: config_history). `result` is what apply answered.
 */
export function auditEventOf(
  command: Command,
  index: number,
  result: unknown,
  takeId: () => number,
): AuditEventRecord | undefined {
  const action = EVENT_ACTIONS[command.type];
  if (action === undefined) return undefined;
  const answered = (result ?? {}) as {
    id?: unknown;
    name?: unknown;
    namespace?: unknown;
    key?: unknown;
  };
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const isNamespaceCommand = command.type.endsWith('Namespace');
  return {
    id: takeId(),
    revision: index,
    createdAt: command.at,
    action,
    namespaceId: isNamespaceCommand && typeof answered.id === 'number' ? answered.id : null,
    namespace: isNamespaceCommand ? text(answered.name) : text(answered.namespace),
    configKey: isNamespaceCommand ? null : text(answered.key),
    operator: command.operator,
    origin: command.origin ?? null,
  };
}

/** The origin's columns, on `config_history` and `audit_event` alike (and `audit_denial`). */
export const ORIGIN_COLUMNS = [
  'client_id',
  'on_behalf_of',
  'client_ip',
  'user_agent',
  'request_id',
  'endpoint',
  'node_id',
] as const;

export function originValues(origin: ChangeOrigin | null | undefined): unknown[] {
  if (!origin) return [null, null, null, null, null, null, null];
  return [
    origin.clientId,
    origin.onBehalfOf,
    origin.clientIp,
    origin.userAgent,
    origin.requestId,
    origin.endpoint,
    origin.nodeId,
  ];
}

export const AUDIT_EVENT_COLUMNS = [
  'id',
  'revision',
  'created_at',
  'action',
  'namespace_id',
  'namespace',
  'config_key',
  'operator',
  ...ORIGIN_COLUMNS,
];
