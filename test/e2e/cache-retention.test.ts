import Redis from 'ioredis';
import { cacheKeys } from '../../apps/config-center/src/cache/cache-keys';
import { fails, ok } from '../support/api';
import { TestApp } from '../support/app';
import { waitFor } from '../support/cluster/harness';
import { LinkProxy } from '../support/cluster/link-proxy';
import { CachedNode, startCachedNode } from '../support/cache-node';

// Redis cuts, reconnects and repairs take seconds on a loaded machine.
jest.setTimeout(30_000);

/**
 * Retention with the Redis cache (review finding 2): a version a prune spared because it was
 * kept, read back into Redis, then let go, must leave Redis with the next prune. Keep latest 1,
 * no age rule; a redis-server of the suite's own.
 */
describe('cache and version retention', () => {
  let proxy: LinkProxy;
  let server: TestApp;
  let direct: Redis;

  let node: CachedNode;
  beforeAll(async () => {
    node = await startCachedNode(
      { VERSION_RETENTION_KEEP_LATEST: '1', VERSION_RETENTION_KEEP_DAYS: '0' },
      { viaProxy: true },
    );
    ({ server, direct } = node);
    proxy = node.proxy!;
  });
  afterAll(() => node?.close());

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

  it('never answers a version pruned by an acknowledged cleanup while Redis lags behind', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 'v1'));
    ok(await api.updateConfig(name, 'k', 'v2'));
    await waitFor(
      'version 1 filled in redis',
      async () => (await direct.exists(cacheKeys.version(name, 'k', 1))) === 1,
    );
    // 300 ms a round trip: the prune's deletes in Redis land well after its acknowledgement
    // (which waits ~100 ms for them), and a read right after it reaches Redis first.
    proxy.delay(150);
    try {
      ok(await api.post('/api/v1/admin/config/versions/cleanup'));
      fails(await api.getConfig(name, 'k', 1), 40403);
      expect(ok(await api.getConfig(name, 'k', 2)).value).toBe('v2');
    } finally {
      proxy.delay(0);
    }
    await waitFor(
      'version 1 gone from redis',
      async () => (await direct.exists(cacheKeys.version(name, 'k', 1))) === 0,
      3000,
    );
    // The retained version, read again after the prune, is filled anew and trusted from then on.
    const filled = JSON.parse((await direct.get(cacheKeys.version(name, 'k', 2)))!);
    expect(filled).toMatchObject({ value: 'v2', version: 2 });
    expect(ok(await api.getConfig(name, 'k', 2)).value).toBe('v2');
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
