import { Module } from '@nestjs/common';
import { SettingsModule } from '../settings/settings.module';
import { SettingsRegistry } from '../settings/settings-registry';
import { StateModule } from '../state/state.module';
import { StateView } from '../state/state-view';
import { RedisShards } from './redis-shards';
import { CacheRoutesController } from './sharding/cache-routes.controller';
import { CacheRoutesResource } from './sharding/cache-routes.resource';
import { cacheRoutesSource } from './sharding/cache-routes-source';
import { RoutedRedisShards } from './sharding/routed-redis-shards';
import { createShardClient } from './sharding/shard-clients';
import { ShardHealth } from './sharding/shard-health';

/**
 * The cache's Redis side (DESIGN 22). Which Redis holds a namespace is `_system/cache_routes`
 * (client-side sharding, spec 000 code 2): one node seeded from REDIS_URL is the unsharded case,
 * no node at all is memory and database only.
 */
@Module({
  imports: [StateModule, SettingsModule],
  controllers: [CacheRoutesController],
  providers: [
    {
      provide: RoutedRedisShards,
      inject: [SettingsRegistry, StateView],
      useFactory: (settings: SettingsRegistry, view: StateView) =>
        new RoutedRedisShards(cacheRoutesSource(settings, view), createShardClient),
    },
    { provide: RedisShards, useExisting: RoutedRedisShards },
    ShardHealth,
    CacheRoutesResource,
  ],
  exports: [RedisShards],
})
export class CacheModule {}
