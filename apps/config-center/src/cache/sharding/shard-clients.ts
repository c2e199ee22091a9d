import Redis from 'ioredis';
import { CacheNode } from '../../settings/cache-routes-setting';

/** A command that gets no answer in this time fails (the cache then goes to the database). */
export const SHARD_COMMAND_TIMEOUT_MS = 1_000;
export const SHARD_CONNECT_TIMEOUT_MS = 2_000;
/** Reconnects back off up to this: a node that is away costs one attempt every 2 s. */
const MAX_RECONNECT_DELAY_MS = 2_000;

export type ShardClientFactory = (node: CacheNode) => Redis;

/** One ioredis client per node: no offline queue, so a command fails at once while it is away. */
export const createShardClient: ShardClientFactory = (node) => {
  const client = new Redis(node.url, {
    connectionName: `cc-cache-${node.name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: SHARD_COMMAND_TIMEOUT_MS,
    connectTimeout: SHARD_CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  });
  // Connection errors are reported by health (and each failed command by its caller): without a
  // listener ioredis would print every reconnect failure.
  client.on('error', () => undefined);
  return client;
};

/** The identity of a shard: a node that changes its url is another Redis. */
export const nodeIdentity = (node: CacheNode): string => `${node.name}\n${node.url}`;

/** The url without its password, for logs, health and the admin endpoint. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid url)';
  }
}
