import { ChangeOrigin, Command } from './commands';

/**
 * A change that has no row of its own to carry its origin (a namespace created, updated or
 * deleted): one `audit_event` row, written by apply like any other row, so every replica has
 * it. Config changes carry their origin on their `config_history` row instead (no extra row
 * on the write path).
 */
export interface AuditEventRecord {
  id: number;
  revision: number;
  createdAt: number;
  /** `namespace.create`, `namespace.update`, `namespace.delete`. */
  action: string;
  namespaceId: number | null;
  namespace: string | null;
  operator: string;
  origin: ChangeOrigin | null;
}

const NAMESPACE_ACTIONS: Partial<Record<Command['type'], string>> = {
  CreateNamespace: 'namespace.create',
  UpdateNamespace: 'namespace.update',
  DeleteNamespace: 'namespace.delete',
};

/**
 * The audit event a successful namespace command leaves, or undefined for any other command.
 * `result` is what apply answered (it names the namespace and its id).
 */
export function namespaceAuditEvent(
  command: Command,
  index: number,
  result: unknown,
  takeId: () => number,
): AuditEventRecord | undefined {
  const action = NAMESPACE_ACTIONS[command.type];
  if (action === undefined) return undefined;
  const namespace = result as { id?: number; name?: string };
  return {
    id: takeId(),
    revision: index,
    createdAt: command.at,
    action,
    namespaceId: namespace.id ?? null,
    namespace: namespace.name ?? null,
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
  'operator',
  ...ORIGIN_COLUMNS,
];
