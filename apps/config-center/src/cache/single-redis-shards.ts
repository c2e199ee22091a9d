import { NamespaceMove, RedisShards, ShardRoute } from './redis-shards';
import { createRedisClient } from './redis-client';

/** The one Redis of REDIS_URL: every namespace on it, at routing epoch 0. */
export class SingleRedisShards extends RedisShards {
  private readonly shard: ShardRoute;

  constructor(url: string, node = 'default') {
    super();
    this.shard = { node, client: createRedisClient(url, node), epoch: 0 };
  }

  route(): ShardRoute {
    return this.shard;
  }

  all(): ShardRoute[] {
    return [this.shard];
  }

  onMove(): () => void {
    return () => undefined;
  }
}

/** No REDIS_URL: the cache is memory and database only. */
export class NoRedisShards extends RedisShards {
  route(): null {
    return null;
  }

  all(): ShardRoute[] {
    return [];
  }

  onMove(_listener: (moves: NamespaceMove[]) => void): () => void {
    return () => undefined;
  }
}
