import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CACHE_TTL_SECONDS, decodeKeyPart, encodeKeyPart } from './cache-keys';
import { ReadCounts } from './read-counts';
import { isConnected } from './redis-client';
import { RedisShards } from './redis-shards';

/** Sorted set per shard: member `{ns}:{key}` (encoded as in keys), score = reads counted. */
export const HEAT_KEY = 'cc:heat';
const FLUSH_INTERVAL_MS = 10_000;

/**
 * Which keys are read most (the warm-up's "hot keys", and the keys whose `config:{ns}:{key}`
 * TTL is renewed). Reads served by this node and its read workers are counted in memory and
 * added to Redis every 10 s, so the counts survive a restart and every node's reads add up.
 */
@Injectable()
export class ReadHeat extends ReadCounts implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly shards: RedisShards) {
    super();
    this.counting = shards.all().length > 0;
  }

  onModuleInit(): void {
    if (!this.counting) return;
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The hottest keys across every shard, hottest first. */
  async hottest(limit: number): Promise<Array<{ namespace: string; key: string }>> {
    const scored: Array<{ member: string; reads: number }> = [];
    for (const shard of this.shards.all()) {
      if (!isConnected(shard.client)) continue;
      const flat = await shard.client.zrevrange(HEAT_KEY, 0, limit - 1, 'WITHSCORES');
      for (let i = 0; i + 1 < flat.length; i += 2)
        scored.push({ member: flat[i], reads: Number(flat[i + 1]) });
    }
    return scored
      .sort((a, b) => b.reads - a.reads)
      .slice(0, limit)
      .map(({ member }) => parseHeatMember(member))
      .filter((found): found is { namespace: string; key: string } => found !== null);
  }

  async flush(): Promise<void> {
    const byShard = new Map<string, Array<string | number>>();
    for (const [namespace, key, reads] of this.take()) {
      const route = this.shards.route(namespace);
      if (!route) continue;
      const pairs = byShard.get(route.node) ?? [];
      pairs.push(reads, heatMember(namespace, key));
      byShard.set(route.node, pairs);
    }
    for (const shard of this.shards.all()) {
      const pairs = byShard.get(shard.node);
      if (!pairs || !isConnected(shard.client)) continue;
      const pipeline = shard.client.pipeline();
      for (let i = 0; i < pairs.length; i += 2) pipeline.zincrby(HEAT_KEY, pairs[i], pairs[i + 1]);
      pipeline.expire(HEAT_KEY, CACHE_TTL_SECONDS.version);
      await pipeline.exec().catch(() => undefined);
    }
  }
}

export const heatMember = (namespace: string, key: string) =>
  `${encodeKeyPart(namespace)}:${encodeKeyPart(key)}`;

export function parseHeatMember(member: string): { namespace: string; key: string } | null {
  const colon = member.indexOf(':');
  if (colon < 0) return null;
  return {
    namespace: decodeKeyPart(member.slice(0, colon)),
    key: decodeKeyPart(member.slice(colon + 1)),
  };
}
