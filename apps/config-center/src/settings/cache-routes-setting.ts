import type { SettingDefinition, SettingProblem } from './system-settings';

/** One Redis node of the cache (spec 000 code 2: client-side sharding). */
export interface CacheNode {
  /** What routes and the hash ring name it by: renaming a node moves its namespaces. */
  name: string;
  /** redis://[user:password@]host:port[/db] or rediss://... */
  url: string;
}

/**
 * `_system/cache_routes`: the Redis nodes of the cache and the explicit routes (namespace ->
 * node name). A namespace without a route goes to a node by consistent hashing of its name.
 * With no node at all, the cache is memory and database only.
 */
export interface CacheRoutesSettings {
  nodes: CacheNode[];
  routes: Record<string, string>;
}

export const MAX_CACHE_NODES = 64;
export const MAX_CACHE_ROUTES = 10_000;
const NODE_NAME = '^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$';
const NAMESPACE_NAME = '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$';

/** A URL a Redis client can connect to: the scheme, a host, a port if any, a db number if any. */
export function redisUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    return 'must start with redis:// or rediss://';
  if (!url.hostname) return 'has no host';
  if (url.search || url.hash) return 'must not have a query or a fragment';
  if (url.port === '0') return 'port must be 1 ... 65535';
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/([0-9]|1[0-5])$/.test(url.pathname))
    return 'path must be a database number (/0 ... /15)';
  return undefined;
}

/**
 * Which Redis database a valid URL names, whatever the spelling: the scheme, the host in lower
 * case (the URL parser keeps a redis: host as written), the port (6379 when absent) and the
 * database (0 when absent).
 */
export function redisIdentity(text: string): string {
  const url = new URL(text);
  const database = url.pathname.replace(/^\//, '') || '0';
  return `${url.protocol}//${url.hostname.toLowerCase()}:${url.port || '6379'}/${database}`;
}

function verifyCacheRoutes(value: CacheRoutesSettings): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const names = new Set<string>();
  const urls = new Set<string>();
  value.nodes.forEach((node, index) => {
    if (names.has(node.name))
      problems.push({ field: `/nodes/${index}/name`, error: `duplicate node name ${node.name}` });
    names.add(node.name);
    const urlProblem = redisUrlProblem(node.url);
    if (urlProblem) problems.push({ field: `/nodes/${index}/url`, error: `url ${urlProblem}` });
    // Two names for one Redis would put two shards' keys (and fences) in one place.
    else if (urls.has(redisIdentity(node.url)))
      problems.push({
        field: `/nodes/${index}/url`,
        error: 'another node names the same Redis database',
      });
    else urls.add(redisIdentity(node.url));
  });
  for (const [namespace, node] of Object.entries(value.routes))
    if (!names.has(node))
      problems.push({
        field: `/routes/${namespace}`,
        error: `routes to unknown node ${node} (nodes: ${[...names].join(', ') || 'none'})`,
      });
  return problems;
}

/**
 * The definition, its default seeded from REDIS_URL: the bootstrap writes it at the first start
 * only; afterwards `cache_routes` is the one source of truth and REDIS_URL is only compared.
 */
export function cacheRoutesSetting(redisUrl: string | null): SettingDefinition<'cache_routes'> {
  return {
    description:
      'Redis nodes of the cache ({name, url}) and explicit routes (namespace -> node name); other namespaces go to a node by consistent hashing. Seeded from REDIS_URL at the first start.',
    default: { nodes: redisUrl ? [{ name: 'default', url: redisUrl }] : [], routes: {} },
    schema: {
      type: 'object',
      properties: {
        nodes: {
          type: 'array',
          maxItems: MAX_CACHE_NODES,
          items: {
            type: 'object',
            properties: {
              name: { type: 'string', pattern: NODE_NAME },
              url: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^rediss?://' },
            },
            required: ['name', 'url'],
            additionalProperties: false,
          },
        },
        routes: {
          type: 'object',
          maxProperties: MAX_CACHE_ROUTES,
          propertyNames: { pattern: NAMESPACE_NAME },
          additionalProperties: { type: 'string', pattern: NODE_NAME },
        },
      },
      required: ['nodes', 'routes'],
      additionalProperties: false,
    },
    verify: verifyCacheRoutes,
  };
}
