import Redis from 'ioredis';
import { cacheKeys } from '../../apps/config-center/src/cache/cache-keys';
import { ok } from '../support/api';
import { TestApp, uniqueName } from '../support/app';
import { LinkProxy } from '../support/cluster/link-proxy';
import { parseSamples, sampleValue } from '../support/prometheus';
import { CachedNode, startCachedNode } from '../support/cache-node';
import { RedisProcess } from '../support/redis-process';

// A cut and a heal wait out a health probe, a reconnect backoff (up to 2 s) and a repair (1 s).
jest.setTimeout(30_000);

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * One node with a redis-server of the test's own, reached through a TCP proxy: the spec's keys
 * filled on write, historical reads from Redis, and Redis cut off or crashed while the node goes
 * on answering (DESIGN 6; issue 14 items 1 and 3).
 */
describe('cache on Redis (one node)', () => {
  let redis: RedisProcess;
  let proxy: LinkProxy;
  let server: TestApp;
  let direct: Redis;

  let node: CachedNode;
  beforeAll(async () => {
    node = await startCachedNode({}, { viaProxy: true });
    ({ redis, server, direct } = node);
    proxy = node.proxy!;
  });
  afterAll(() => node?.close());

  const metrics = async () => parseSamples((await server.api.get('/api/v1/metrics')).text);
  const health = async () => (await server.api.get('/api/v1/health')).body.data;
  const latestInRedis = async (ns: string, key: string) => {
    const text = await direct.get(cacheKeys.latest(ns, key));
    return text === null ? null : JSON.parse(text);
  };

  it('writes the spec keys, value shapes and TTLs on write', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    const key = 'db:url/主';
    ok(await api.createConfig(name, key, { host: 'a' }));
    const updated = ok(await api.updateConfig(name, key, { host: 'b' }));
    const latest = await latestInRedis(name, key);
    expect(cacheKeys.latest(name, key)).toBe(`config:${name}:db%3Aurl/主`);
    expect(latest).toEqual({
      value: { host: 'b' },
      version: 2,
      updated_at: expect.any(String),
      ttl: 3600,
      revision: updated.revision,
    });
    const ttl = await direct.ttl(cacheKeys.latest(name, key));
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
    expect(JSON.parse((await direct.hget(cacheKeys.namespace(name), key))!)).toEqual(latest);
    expect(await direct.ttl(cacheKeys.namespace(name))).toBeGreaterThan(3500);
    const version = JSON.parse((await direct.get(cacheKeys.version(name, key, 2)))!);
    expect(version).toEqual({
      value: { host: 'b' },
      version: 2,
      created_at: latest.updated_at,
      revision: updated.revision,
      log_index: expect.any(Number),
    });
    expect(await direct.ttl(cacheKeys.version(name, key, 2))).toBeGreaterThan(86_000);
    // The version list is filled on its first read (no TTL: spec 3.4.1), then kept current.
    ok(await api.get('/api/v1/config/versions', { namespace: name, key }));
    await until(
      'the version list',
      async () => (await direct.zcard(cacheKeys.versionList(name, key))) === 2,
    );
    ok(await api.updateConfig(name, key, { host: 'c' }));
    expect(await direct.zrange(cacheKeys.versionList(name, key), 0, -1)).toEqual(['1', '2', '3']);
    expect(await direct.ttl(cacheKeys.versionList(name, key))).toBe(-1);
    const [, score] = await direct.zrange(cacheKeys.versionList(name, key), 0, 0, 'WITHSCORES');
    expect(Number(score)).toBeGreaterThan(Date.now() - 60_000);
    // A delete leaves neither the key nor its field.
    ok(await api.deleteConfig(name, key));
    expect(await direct.exists(cacheKeys.latest(name, key))).toBe(0);
    expect(await direct.hexists(cacheKeys.namespace(name), key)).toBe(0);
  });

  it('answers a historical version from Redis, then from memory, without the database', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 'one'));
    ok(await api.updateConfig(name, 'k', 'two'));
    const before = await metrics();
    expect(ok(await api.getConfig(name, 'k', 1)).value).toBe('one');
    expect(ok(await api.getConfig(name, 'k', 1)).value).toBe('one');
    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('config_center_db_queries_total', { query: 'version' })).toBe(0);
    expect(delta('config_center_cache_hits_total', { cache_type: 'redis', hit: 'true' })).toBe(1);
    expect(delta('config_center_cache_hits_total', { cache_type: 'local', hit: 'true' })).toBe(1);
    // Gone from Redis: the database answers once and fills it back.
    await direct.del(cacheKeys.version(name, 'k', 2));
    const diff = ok(
      await api.get('/api/v1/config/diff', {
        namespace: name,
        key: 'k',
        from_version: 1,
        to_version: 2,
      }),
    );
    expect(diff.changes.length).toBeGreaterThan(0);
    expect(await direct.exists(cacheKeys.version(name, 'k', 2))).toBe(1);
    expect(
      sampleValue(await metrics(), 'config_center_cache_operation_duration_milliseconds_count', {
        cache_type: 'redis',
        operation: 'get',
      }),
    ).toBeGreaterThan(0);
  });

  it('keeps answering reads and writes while Redis is cut off, and leaves nothing stale after', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'changed', 'before'));
    ok(await api.createConfig(name, 'deleted', 'before'));
    ok(await api.updateConfig(name, 'changed', 'before-2'));
    // Through the proxy and on a loaded machine a fill may outlast the acknowledgement's 100 ms
    // wait; this test is about the cut that follows, so it waits for the fill to land.
    await until(
      'the fill of before-2',
      async () => (await latestInRedis(name, 'changed'))?.value === 'before-2',
    );

    proxy.block();
    await until(
      'redis to be seen down',
      async () => (await health()).components.redis.status === 'unhealthy',
    );
    const report = await health();
    expect(report.status).toBe('degraded');
    expect(report.ready).toBe(true);
    const started = Date.now();
    const written = ok(await api.updateConfig(name, 'changed', 'while-away'));
    ok(await api.deleteConfig(name, 'deleted'));
    ok(await api.createConfig(name, 'new', 'while-away'));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(ok(await api.getConfig(name, 'changed')).value).toBe('while-away');
    expect(ok(await api.getConfig(name, 'changed', 1)).value).toBe('before');
    expect(ok(await api.getConfig(name, 'changed', 2)).value).toBe('before-2');
    expect(
      ok(await api.get('/api/v1/config/versions', { namespace: name, key: 'changed' })).list,
    ).toHaveLength(3);
    ok(
      await api.get('/api/v1/config/diff', {
        namespace: name,
        key: 'changed',
        from_version: 1,
        to_version: 3,
      }),
    );
    expect(ok(await api.namespaceConfigs(name)).configs).toEqual({
      changed: 'while-away',
      new: 'while-away',
    });
    // Redis kept the old values all along: they must not outlive the cut.
    expect((await latestInRedis(name, 'changed')).value).toBe('before-2');

    proxy.heal();
    await until('redis to catch up', async () => {
      const latest = await latestInRedis(name, 'changed');
      return latest?.revision === written.revision;
    });
    expect(await direct.exists(cacheKeys.latest(name, 'deleted'))).toBe(0);
    expect((await latestInRedis(name, 'new')).value).toBe('while-away');
    expect(await direct.hgetall(cacheKeys.namespace(name))).toEqual({
      changed: expect.stringContaining('"while-away"'),
      new: expect.stringContaining('"while-away"'),
    });
    await until(
      'redis healthy',
      async () => (await health()).components.redis.status === 'healthy',
    );
  });

  it('leaves no version list in Redis without a version written while Redis was cut off', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    const list = cacheKeys.versionList(name, 'k');
    ok(await api.createConfig(name, 'k', 'v1'));
    ok(await api.updateConfig(name, 'k', 'v2'));
    ok(await api.get('/api/v1/config/versions', { namespace: name, key: 'k' }));
    await until('the version list', async () => (await direct.zcard(list)) === 2);

    proxy.block();
    await until(
      'redis to be seen down',
      async () => (await health()).components.redis.status === 'unhealthy',
    );
    const written = ok(await api.updateConfig(name, 'k', 'v3'));
    proxy.heal();
    await until(
      'redis to catch up',
      async () => (await latestInRedis(name, 'k'))?.revision === written.revision,
    );
    // Complete or absent (the next read refills it), never {1, 2}.
    const members = await direct.zrange(list, 0, -1);
    expect(members.length === 0 || members.includes('3')).toBe(true);
    expect(
      ok(await api.get('/api/v1/config/versions', { namespace: name, key: 'k' })).list,
    ).toHaveLength(3);
    await until('the refilled list', async () => (await direct.zcard(list)) === 3);
    // The namespace was refilled once Redis came back: the repair (every second) does not refill
    // it again and drop the list the read put back.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await direct.zcard(list)).toBe(3);
  });

  it('refills an emptied Redis after a crash and restart', async () => {
    const { api } = server;
    const name = uniqueName();
    await api.createNamespace(name);
    ok(await api.createConfig(name, 'k', 'v1'));
    await redis.crash();
    ok(await api.updateConfig(name, 'k', 'v2'));
    expect(ok(await api.getConfig(name, 'k', 1)).value).toBe('v1');
    await redis.start();
    await until(
      'the refill',
      async () => (await latestInRedis(name, 'k').catch(() => null))?.value === 'v2',
    );
  });
});
