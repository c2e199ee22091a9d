/**
 * Short names of what an audited request does, by endpoint id (`METHOD /route/template`). The
 * `action` filter of GET /api/v1/admin/audit takes one of these or an endpoint id. Endpoints
 * not listed (reads, mostly) still appear in the audit when refused, by endpoint only.
 */
export const ACTION_BY_ENDPOINT: Readonly<Record<string, string>> = {
  'POST /api/v1/admin/config': 'config.create',
  'PUT /api/v1/admin/config': 'config.update',
  'DELETE /api/v1/admin/config': 'config.delete',
  'POST /api/v1/admin/config/batch': 'config.batch',
  'POST /api/v1/admin/config/rollback': 'config.rollback',
  'PUT /api/v1/admin/config/version/keep': 'config.version_keep',
  'POST /api/v1/admin/config/versions/cleanup': 'config.cleanup',
  'POST /api/v1/admin/namespace': 'namespace.create',
  'PUT /api/v1/admin/namespace/:id': 'namespace.update',
  'DELETE /api/v1/admin/namespace/:id': 'namespace.delete',
  'POST /api/v1/admin/namespace/import': 'namespace.import',
  'GET /api/v1/admin/namespace/export': 'namespace.export',
  'POST /api/v1/admin/tokens': 'token.create',
  'DELETE /api/v1/admin/tokens/:id': 'token.revoke',
  'POST /api/v1/admin/tokens/:id/rotate': 'token.rotate',
  'POST /api/v1/admin/cluster/members': 'cluster.add',
  'DELETE /api/v1/admin/cluster/members/:id': 'cluster.remove',
  'POST /api/v1/admin/cluster/transfer-leader': 'cluster.transfer_leader',
  'GET /api/v1/admin/audit': 'audit.read',
};

/** A config write to `_system` is a settings change (DESIGN 15). */
export const SETTINGS_UPDATE = 'settings.update';

/** Every action name the filter accepts. */
export const AUDIT_ACTIONS: readonly string[] = [
  ...new Set([
    ...Object.values(ACTION_BY_ENDPOINT),
    'config.version_keep',
    'config.cleanup',
    SETTINGS_UPDATE,
  ]),
].sort();

/** Membership changes: not state-machine commands, recorded on the node that made them. */
export const MEMBERSHIP_ENDPOINTS: ReadonlySet<string> = new Set(
  Object.entries(ACTION_BY_ENDPOINT)
    .filter(([, action]) => action.startsWith('cluster.'))
    .map(([endpoint]) => endpoint),
);

export const actionOfEndpoint = (endpoint: string | null): string | null =>
  endpoint === null ? null : (ACTION_BY_ENDPOINT[endpoint] ?? null);

export const endpointsOfAction = (action: string): string[] =>
  Object.entries(ACTION_BY_ENDPOINT)
    .filter(([, name]) => name === action)
    .map(([endpoint]) => endpoint);

/** History rows written before the audit (no endpoint) are named by their operation. */
export const HISTORY_OPERATION_ACTIONS: Readonly<Record<string, string>> = {
  CREATE: 'config.create',
  UPDATE: 'config.update',
  DELETE: 'config.delete',
  ROLLBACK: 'config.rollback',
};

export type AuditOutcome = 'success' | 'denied' | 'failed';
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['success', 'denied', 'failed'];
