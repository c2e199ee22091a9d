import { FastifyRequest } from 'fastify';
import { TokenRole } from '../state/records';

/** Where a route names the namespaces it touches (checked against the caller's list). */
export type NamespaceSource =
  | 'none'
  | 'query'
  | 'param'
  | 'body'
  /** DELETE /admin/config takes its fields from the query or the body. */
  | 'query-or-body'
  /** POST /admin/config/batch: each operation names its namespace. */
  | 'operations';

export type RouteAccess =
  | { kind: 'public' }
  /** Node-to-node routes: the cluster secret, checked by their own guard. */
  | { kind: 'internal' }
  | { kind: 'token'; role: TokenRole; namespaces: NamespaceSource };

const PUBLIC: RouteAccess = { kind: 'public' };
const reader = (namespaces: NamespaceSource): RouteAccess => ({
  kind: 'token',
  role: 'reader',
  namespaces,
});
const writer = (namespaces: NamespaceSource): RouteAccess => ({
  kind: 'token',
  role: 'writer',
  namespaces,
});
const ADMIN: RouteAccess = { kind: 'token', role: 'admin', namespaces: 'none' };

/**
 * Every public route and who may call it (DESIGN 21): a reader reads its namespaces, a writer
 * also writes configs there, an admin does everything else. A route missing here fails the
 * start (installAuth), so a new endpoint cannot ship without a decision.
 */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /api/v1/health': PUBLIC,
  'GET /api/v1/health/live': PUBLIC,
  'GET /api/v1/health/ready': PUBLIC,
  'GET /api/v1/metrics': PUBLIC,

  'GET /api/v1/config/get': reader('query'),
  'POST /api/v1/config/batch-get': reader('body'),
  'GET /api/v1/config/namespace/:namespace': reader('param'),
  'GET /api/v1/config/versions': reader('query'),
  'GET /api/v1/config/diff': reader('query'),
  'GET /api/v1/config/watch': reader('query'),
  'GET /api/v1/config/stream': reader('query'),
  // Lists show only the caller's namespaces (the resources filter them).
  'GET /api/v1/admin/namespace/list': reader('none'),
  'GET /api/v1/admin/config/list': reader('query'),
  'GET /api/v1/admin/config/history': reader('query'),

  'POST /api/v1/admin/config': writer('body'),
  'PUT /api/v1/admin/config': writer('body'),
  'DELETE /api/v1/admin/config': writer('query-or-body'),
  'POST /api/v1/admin/config/batch': writer('operations'),
  'POST /api/v1/admin/config/rollback': writer('body'),
  'PUT /api/v1/admin/config/version/keep': writer('body'),

  'POST /api/v1/admin/config/versions/cleanup': ADMIN,
  'POST /api/v1/admin/namespace': ADMIN,
  'GET /api/v1/admin/namespace/export': ADMIN,
  'POST /api/v1/admin/namespace/import': ADMIN,
  'PUT /api/v1/admin/namespace/:id': ADMIN,
  'DELETE /api/v1/admin/namespace/:id': ADMIN,
  'GET /api/v1/admin/cluster/members': ADMIN,
  'POST /api/v1/admin/cluster/members': ADMIN,
  'DELETE /api/v1/admin/cluster/members/:id': ADMIN,
  'POST /api/v1/admin/cluster/transfer-leader': ADMIN,
  'POST /api/v1/admin/tokens': ADMIN,
  'GET /api/v1/admin/tokens': ADMIN,
  'DELETE /api/v1/admin/tokens/:id': ADMIN,
  'POST /api/v1/admin/tokens/:id/rotate': ADMIN,
  'GET /api/v1/admin/settings': ADMIN,
  'GET /api/v1/admin/audit': ADMIN,
  'GET /api/v1/admin/cache/routes': ADMIN,
};

/** Swagger UI and its document: a browser cannot send a bearer header on page load. */
const isDocsRoute = (url: string): boolean =>
  url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs-');

/** The access rule of a routed request; undefined for a route nobody decided on. */
export function accessOf(method: string, routeUrl: string): RouteAccess | undefined {
  if (routeUrl.startsWith('/internal/')) return { kind: 'internal' };
  if (isDocsRoute(routeUrl)) return PUBLIC;
  return ROUTE_ACCESS[`${method === 'HEAD' ? 'GET' : method} ${routeUrl}`];
}

/**
 * The access rule of a path a read worker passes on under a wildcard route (it does not know
 * the node's templates): public paths by their path, anything else needs a valid token here
 * and gets its role and namespace checks on the node.
 */
export function accessOfPath(method: string, path: string): RouteAccess {
  const bare = path.split('?')[0];
  const exact = accessOf(method, bare);
  if (exact?.kind === 'public' || exact?.kind === 'internal') return exact;
  return { kind: 'token', role: 'reader', namespaces: 'none' };
}

const text = (value: unknown): string[] => (typeof value === 'string' ? [value] : []);
/** A repeated query parameter (`namespace=a&namespace=b`, the watch routes) is an array. */
const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.flatMap(text) : text(value);
const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;

/**
 * The namespaces a request names, by its route's source. Values that are not strings are left
 * to validation (40001/40002); a route that names none checks nothing here.
 */
export function namespacesOf(
  request: Pick<FastifyRequest, 'query' | 'params' | 'body'>,
  source: NamespaceSource,
): string[] {
  switch (source) {
    case 'none':
      return [];
    case 'query':
      return texts(field(request.query, 'namespace'));
    case 'param':
      return text(field(request.params, 'namespace'));
    case 'body':
      return text(field(request.body, 'namespace'));
    case 'query-or-body':
      return [
        ...text(field(request.query, 'namespace')),
        ...text(field(request.body, 'namespace')),
      ];
    case 'operations': {
      const operations = field(request.body, 'operations');
      if (!Array.isArray(operations)) return [];
      return operations.flatMap((operation: unknown) => text(field(operation, 'namespace')));
    }
  }
}
