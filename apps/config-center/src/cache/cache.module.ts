import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { SettingsModule } from '../settings/settings.module';
import { SettingsRegistry } from '../settings/settings-registry';
import { StateModule } from '../state/state.module';
import { StateView } from '../state/state-view';
import { VersionQueries } from '../version/version-queries';
import { VersionLookup, VersionReads } from '../version/version-reads';
import { CacheFiller } from './cache-filler';
import { CacheWarmup } from './cache-warmup';
import { CachedVersionReads } from './cached-version-reads';
import { InvalidationListener } from './invalidations';
import { ReadCounts } from './read-counts';
import { ReadHeat } from './read-heat';
import { RedisShards } from './redis-shards';
import { CacheRoutesController } from './sharding/cache-routes.controller';
import { CacheRoutesResource } from './sharding/cache-routes.resource';
import { cacheRoutesSource } from './sharding/cache-routes-source';
import { RoutedRedisShards } from './sharding/routed-redis-shards';
import { createShardClient } from './sharding/shard-clients';
import { ShardHealth } from './sharding/shard-health';

/**
 * The one place that chooses the RedisShards implementation: `_system/cache_routes` (client-side
 * sharding, spec 000 code 2), seeded from REDIS_URL at the first start. One node is the
 * unsharded case; no node at all is memory and database only.
 */
export const redisShardsProviders = [
  {
    provide: RoutedRedisShards,
    inject: [SettingsRegistry, StateView],
    useFactory: (settings: SettingsRegistry, view: StateView) =>
      new RoutedRedisShards(cacheRoutesSource(settings, view), createShardClient),
  },
  { provide: RedisShards, useExisting: RoutedRedisShards },
];

/**
 * The cache (DESIGN 5, 6, 22): historical reads memory -> Redis -> database, Redis filled on
 * apply with the spec's keys, invalidations over pub/sub, warm-up, health and metrics.
 * Latest values are the view's (state/): they never wait on Redis. Global: the version reads it
 * provides are the ports that version/ and config/ read through (version-reads.ts).
 */
@Global()
@Module({
  imports: [StateModule, SettingsModule],
  controllers: [CacheRoutesController],
  providers: [
    ...redisShardsProviders,
    ShardHealth,
    CacheRoutesResource,
    VersionQueries,
    CachedVersionReads,
    { provide: VersionReads, useExisting: CachedVersionReads },
    { provide: VersionLookup, useExisting: CachedVersionReads },
    CacheFiller,
    InvalidationListener,
    ReadHeat,
    { provide: ReadCounts, useExisting: ReadHeat },
    CacheWarmup,
  ],
  exports: [VersionQueries, VersionReads, VersionLookup, ReadHeat, ReadCounts, RedisShards],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(@Inject(RedisShards) private readonly shards: RedisShards) {}

  onApplicationShutdown(): void {
    for (const shard of this.shards.all()) shard.client.disconnect();
  }
}
