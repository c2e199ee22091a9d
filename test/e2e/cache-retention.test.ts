import Redis from 'ioredis';
import { cacheKeys } from '../../apps/config-center/src/cache/cache-keys';
import { fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp } from '../support/app';
import { waitFor } from '../support/cluster/harness';
import { RedisProcess, startRedisProcess } from '../support/redis-process';

/**
 * Retention with the Redis cache (review finding 2): a version a prune spared because it was
 * kept, read back into Redis, then let go, must leave Redis with the next prune. Keep latest 1,
 * no age rule; a redis-server of the suite's own.
 */
describe('cache and version retention', () => {
  let redis: RedisProcess;
  let server: TestApp;
  let direct: Redis;

  beforeAll(async () => {
    redis = await startRedisProcess();
    direct = new Redis(redis.url);
    server = await startApp({
      REDIS_URL: redis.url,
      VERSION_RETENTION_KEEP_LATEST: '1',
      VERSION_RETENTION_KEEP_DAYS: '0',
    });
    await waitFor('redis connected', async () => {
      const health = (await server.api.get('/api/v1/health')).body.data;
      return health.components.redis.status === 'healthy';
    });
  });
  afterAll(async () => {
    await server.close();
    direct.disconnect();
    await redis.stop();
    removeSuiteDatabase();
  });

  it('never answers from Redis a version pruned after it was let go', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 'v1'));
    for (const value of ['v2', 'v3']) ok(await api.updateConfig(name, 'k', value));
    const keep = (kept: boolean) =>
      api.put('/api/v1/admin/config/version/keep', { namespace: name, key: 'k', version: 1, kept });
    ok(await keep(true));
    ok(await api.post('/api/v1/admin/config/versions/cleanup'));
    // Kept: the database still has it; the read puts it back into Redis.
    expect(ok(await api.getConfig(name, 'k', 1)).value).toBe('v1');
    await waitFor('v1 back in redis', async () => {
      return (await direct.exists(cacheKeys.version(name, 'k', 1))) === 1;
    });
    ok(await keep(false));
    ok(await api.post('/api/v1/admin/config/versions/cleanup'));
    await waitFor(
      'v1 gone from redis',
      async () => (await direct.exists(cacheKeys.version(name, 'k', 1))) === 0,
      3000,
    );
    fails(await api.getConfig(name, 'k', 1), 40403);
  });
});
