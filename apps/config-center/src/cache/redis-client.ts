import Redis from 'ioredis';

/**
 * How long a command may take before it fails (ms). Redis answers in well under a millisecond;
 * a command that waits longer means Redis is away, and the cache steps aside (DESIGN 6).
 */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
export const REDIS_CONNECT_TIMEOUT_MS = 1000;
/** Reconnect backoff: 100 ms, 200 ms, ... up to 2 s between attempts, forever. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 2000;

/**
 * A client that fails fast: no offline queue (a command while disconnected fails at once instead
 * of waiting for a reconnect), one retry at most, short timeouts; it reconnects on its own.
 */
export function createRedisClient(url: string, name: string): Redis {
  const client = new Redis(url, {
    connectionName: `config-center:${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, REDIS_MAX_RECONNECT_DELAY_MS),
    // Subscriptions are renewed by the invalidation listener on every `ready`.
    autoResubscribe: false,
  });
  // An unhandled 'error' event would end the process; the health check reports the state.
  client.on('error', () => undefined);
  return client;
}

/** True while `client` can take commands. */
export function isConnected(client: Redis): boolean {
  return client.status === 'ready';
}
