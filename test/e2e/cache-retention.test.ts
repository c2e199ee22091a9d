import Redis from 'ioredis';
import { cacheKeys } from '../../apps/config-center/src/cache/cache-keys';
import { fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp } from '../support/app';
import { waitFor } from '../support/cluster/harness';
import { LinkProxy } from '../support/cluster/link-proxy';
import { RedisProcess, startRedisProcess } from '../support/redis-process';

/**
 * Retention with the Redis cache (review finding 2): a version a prune spared because it was
 * kept, read back into Redis, then let go, must leave Redis with the next prune. Keep latest 1,
 * no age rule; a redis-server of the suite's own.
 */
describe('cache and version retention', () => {
  let redis: RedisProcess;
  let proxy: LinkProxy;
  let server: TestApp;
  let direct: Redis;

  beforeAll(async () => {
    redis = await startRedisProcess();
    proxy = new LinkProxy('node', 'redis', redis.port);
    await proxy.listen();
    direct = new Redis(redis.url);
    server = await startApp({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      VERSION_RETENTION_KEEP_LATEST: '1',
      VERSION_RETENTION_KEEP_DAYS: '0',
    });
    await waitFor('redis connected', async () => (await redisStatus()) === 'healthy');
  });
  afterAll(async () => {
    await server.close();
    direct.disconnect();
    await proxy.close();
    await redis.stop();
    removeSuiteDatabase();
  });

  const redisStatus = async (): Promise<string> =>
    (await server.api.get('/api/v1/health')).body.data.components.redis.status;

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

  it('deletes from Redis what a prune made while Redis was cut off removed', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 'v1'));
    ok(await api.updateConfig(name, 'k', 'v2'));
    ok(await api.get('/api/v1/config/versions', { namespace: name, key: 'k' }));
    const list = cacheKeys.versionList(name, 'k');
    await waitFor('the version list', async () => (await direct.zcard(list)) === 2);
    expect(await direct.exists(cacheKeys.version(name, 'k', 1))).toBe(1);

    proxy.block();
    await waitFor('redis to be seen down', async () => (await redisStatus()) === 'unhealthy');
    ok(await api.post('/api/v1/admin/config/versions/cleanup'));
    proxy.heal();
    await waitFor(
      'the pruned version and the list gone from redis',
      async () =>
        (await direct.exists(cacheKeys.version(name, 'k', 1), list)) === 0 &&
        (await redisStatus()) === 'healthy',
      8000,
    );
    fails(await api.getConfig(name, 'k', 1), 40403);
  });
});
