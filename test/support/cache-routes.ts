import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RoutedRedisShards } from '../../apps/config-center/src/cache/sharding/routed-redis-shards';
import { SettingsRegistry } from '../../apps/config-center/src/settings/settings-registry';
import { Api, ok } from './api';

/**
 * Suites share one database per run, and `_system/cache_routes` outlives the app that seeded it
 * (REDIS_URL only seeds it at the first start; afterwards cache_routes wins). An app started
 * with another REDIS_URL than the routes hold (a suite's own redis-server, or none) gets routes
 * to it, so each suite talks to the Redis it asked for. Nothing is written when they agree.
 */
export async function alignCacheRoutes(
  app: NestFastifyApplication,
  api: Api,
  redisUrl: string | null,
): Promise<void> {
  const wanted = { nodes: redisUrl ? [{ name: 'default', url: redisUrl }] : [], routes: {} };
  const current = app.get(SettingsRegistry).get('cache_routes');
  if (JSON.stringify(current) === JSON.stringify(wanted)) return;
  const written = ok(await api.updateConfig('_system', 'cache_routes', wanted));
  const shards = app.get(RoutedRedisShards);
  const deadline = Date.now() + 10_000;
  while (shards.table.epoch < written.revision) {
    if (Date.now() > deadline)
      throw new Error('the app did not switch to the aligned cache routes');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
