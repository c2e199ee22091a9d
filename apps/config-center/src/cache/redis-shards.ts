import type Redis from 'ioredis';

/** Where one namespace's cache keys live (client-side sharding, spec 000 code 2). */
export interface ShardRoute {
  /** The Redis node's name, as `cache_routes` lists it. */
  node: string;
  /** A client with no offline queue: a command fails fast while the node is away. */
  client: Redis;
  /**
   * The routing epoch: it grows with every change of the routes. Every fill carries it, and a
   * shard refuses a fill whose epoch is lower than the fence `cc:epoch:{ns}` it holds (set on a
   * shard when a namespace moves away from it or to it), so a fill started before a move can
   * never land on the wrong shard after the move's cleanup.
   */
  epoch: number;
}

/** A namespace whose shard changed; `from` is null when it had none (Redis was just added). */
export interface NamespaceMove {
  namespace: string;
  from: string | null;
  to: string | null;
}

/**
 * The Redis nodes the cache uses and which one holds each namespace. One Redis node (REDIS_URL)
 * is the unsharded case; the routed implementation reads `_system` `cache_routes`. With no
 * Redis at all, `route` answers null and the cache is memory and database only.
 */
export abstract class RedisShards {
  /** The shard that holds `namespace`'s keys, or null when no Redis is configured. */
  abstract route(namespace: string): ShardRoute | null;
  /** Every shard: invalidations are subscribed to on each, health checks each. */
  abstract all(): ShardRoute[];
  /** Called once routes changed and the moved namespaces' old keys were deleted. */
  abstract onMove(listener: (moves: NamespaceMove[]) => void): () => void;
}
