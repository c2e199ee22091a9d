import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { SettingsModule } from '../settings/settings.module';
import { StateModule } from '../state/state.module';
import { VersionQueries } from '../version/version-queries';
import { VersionLookup, VersionReads } from '../version/version-reads';
import { CacheFiller } from './cache-filler';
import { CacheWarmup } from './cache-warmup';
import { CachedVersionReads } from './cached-version-reads';
import { InvalidationListener } from './invalidations';
import { ReadCounts } from './read-counts';
import { ReadHeat } from './read-heat';
import { RedisHealth } from './redis-health';
import { RedisShards } from './redis-shards';
import { NoRedisShards, SingleRedisShards } from './single-redis-shards';

/**
 * The one place that chooses the RedisShards implementation: REDIS_URL's single node, or none.
 * (The routed implementation of `_system` `cache_routes` replaces this factory.)
 */
export const redisShardsProvider = {
  provide: RedisShards,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): RedisShards =>
    config.redisUrl ? new SingleRedisShards(config.redisUrl) : new NoRedisShards(),
};

/**
 * The cache (DESIGN 5, 6, 22): historical reads memory -> Redis -> database, Redis filled on
 * apply with the spec's keys, invalidations over pub/sub, warm-up, health and metrics.
 * Latest values are the view's (state/): they never wait on Redis.
 */
@Module({
  imports: [StateModule, SettingsModule],
  providers: [
    redisShardsProvider,
    VersionQueries,
    CachedVersionReads,
    { provide: VersionReads, useExisting: CachedVersionReads },
    { provide: VersionLookup, useExisting: CachedVersionReads },
    CacheFiller,
    InvalidationListener,
    ReadHeat,
    { provide: ReadCounts, useExisting: ReadHeat },
    CacheWarmup,
    RedisHealth,
  ],
  exports: [VersionQueries, VersionReads, VersionLookup, ReadHeat, ReadCounts, RedisShards],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(@Inject(RedisShards) private readonly shards: RedisShards) {}

  onApplicationShutdown(): void {
    for (const shard of this.shards.all()) shard.client.disconnect();
  }
}
