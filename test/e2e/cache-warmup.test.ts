import Redis from 'ioredis';
import { cacheKeys } from '../../apps/config-center/src/cache/cache-keys';
import { CacheWarmup } from '../../apps/config-center/src/cache/cache-warmup';
import { ReadHeat } from '../../apps/config-center/src/cache/read-heat';
import { ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';
import { freePort } from '../support/node-process';
import { parseSamples, sampleValue } from '../support/prometheus';
import { RedisProcess, startRedisProcess } from '../support/redis-process';

// Redis cuts, reconnects and repairs take seconds on a loaded machine.
jest.setTimeout(30_000);

/**
 * Start-up with Redis (issue 14 item 1, warm-up; item 3): readiness never waits on Redis, and
 * after a restart the `_system` `cache_warmup` namespaces and the hottest keys are warm.
 */
async function redisConnected(app: TestApp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await app.api.get('/api/v1/health')).body.data.components.redis.status !== 'healthy') {
    if (Date.now() > deadline) throw new Error('redis not connected');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('cache at start', () => {
  let redis: RedisProcess;
  let direct: Redis;
  let server: TestApp | undefined;

  beforeAll(async () => {
    redis = await startRedisProcess();
    direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    direct.on('error', () => undefined);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(async () => {
    direct.disconnect();
    await redis.stop();
    removeSuiteDatabase();
  });

  it('is ready and answers reads and writes when Redis is unreachable from the start', async () => {
    const nobody = await freePort();
    server = await startApp({ REDIS_URL: `redis://127.0.0.1:${nobody}` });
    const { api } = server;
    expect((await api.get('/api/v1/health/ready')).status).toBe(200);
    const { name } = await api.createNamespace();
    const started = Date.now();
    ok(await api.createConfig(name, 'k', 1));
    ok(await api.updateConfig(name, 'k', 2));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ok(await api.getConfig(name, 'k')).value).toBe(2);
    expect(ok(await api.getConfig(name, 'k', 1)).value).toBe(1);
    expect(
      ok(await api.get('/api/v1/config/versions', { namespace: name, key: 'k' })).list,
    ).toHaveLength(2);
    const health = ok(await api.get('/api/v1/health'));
    expect(health.components.redis.status).toBe('unhealthy');
    expect(health.status).toBe('degraded');
  });

  it('after a restart, fills the cache_warmup namespaces and warms the hottest keys', async () => {
    server = await startApp({ REDIS_URL: redis.url });
    await redisConnected(server);
    const warm = uniqueName('warm');
    const hot = uniqueName('hot');
    await server.api.createNamespace(warm);
    await server.api.createNamespace(hot);
    ok(await server.api.createConfig(warm, 'a', 'A'));
    ok(await server.api.createConfig(hot, 'k', 1));
    ok(await server.api.updateConfig(hot, 'k', 2));
    ok(
      await server.api.updateConfig('_system', 'cache_warmup', {
        namespaces: [warm],
        hot_keys: 10,
        max_seconds: 5,
      }),
    );
    for (let i = 0; i < 5; i++) ok(await server.api.getConfig(hot, 'k'));
    await server.app.get(ReadHeat).flush();
    expect(await direct.zscore('cc:heat', `${hot}:k`)).toBe('5');
    await server.close();

    // Gone from Redis meanwhile (expired, or evicted).
    await direct.del(cacheKeys.latest(warm, 'a'), cacheKeys.namespace(warm), cacheKeys.guard(warm));
    server = await startApp({ REDIS_URL: redis.url });
    const done = await server.app.get(CacheWarmup).run();
    expect(done.timedOut).toBe(false);
    expect(done.hotKeys).toBe(1);
    expect(JSON.parse((await direct.get(cacheKeys.latest(warm, 'a')))!).value).toBe('A');
    expect(await direct.hkeys(cacheKeys.namespace(warm))).toEqual(['a']);
    // The hot key's version list is in memory already: no database query to answer it.
    const before = parseSamples((await server.api.get('/api/v1/metrics')).text);
    expect(
      ok(await server.api.get('/api/v1/config/versions', { namespace: hot, key: 'k' })).list,
    ).toHaveLength(2);
    const after = parseSamples((await server.api.get('/api/v1/metrics')).text);
    const listQueries = (samples: typeof before) =>
      sampleValue(samples, 'config_center_db_queries_total', { query: 'version_list' });
    expect(listQueries(after) - listQueries(before)).toBe(0);
  });
});
