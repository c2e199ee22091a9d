import type Redis from 'ioredis';

/** True while `client` can take commands (clients are made in sharding/shard-clients.ts). */
export function isConnected(client: Redis): boolean {
  return client.status === 'ready';
}
