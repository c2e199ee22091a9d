import Redis from 'ioredis';
import { cacheKeys } from '../../apps/config-center/src/cache/cache-keys';
import { cacheScripts, CacheScripts } from '../../apps/config-center/src/cache/cache-scripts';
import {
  REFILL_PART_KEYS,
  refillNamespace,
} from '../../apps/config-center/src/cache/namespace-refill';
import { MissLock } from '../../apps/config-center/src/cache/redis-lock';
import { CacheMetrics } from '../../apps/config-center/src/observability/cache-metrics';
import { ConfigRecord } from '../../apps/config-center/src/state/records';
import { Counter, Histogram } from 'prom-client';
import { RedisProcess, startRedisProcess } from '../support/redis-process';

/** The cache's Lua on a real redis-server of the test's own: revision guards, fences, locks. */
describe('cache Lua scripts', () => {
  let redis: RedisProcess;
  let client: Redis;
  let scripts: CacheScripts;

  beforeAll(async () => {
    redis = await startRedisProcess();
    client = new Redis(redis.url);
    scripts = cacheScripts(client);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  const ns = (name: string) => ({
    guard: cacheKeys.guard(name),
    fence: cacheKeys.epochFence(name),
    hash: cacheKeys.namespace(name),
    latest: (key: string) => cacheKeys.latest(name, key),
  });
  const value = (revision: number, text = 'v') =>
    JSON.stringify({ value: text, version: 1, updated_at: 'x', revision });
  const fillChanges = (
    name: string,
    revision: number,
    previous: number,
    epoch: number,
    key: string,
    json: string,
  ) => {
    const k = ns(name);
    return scripts.ccFillChanges(
      [k.guard, k.fence, k.hash, k.latest(key)],
      [revision, epoch, previous, 3600, 3600, 7200, key, json],
    );
  };
  const fillWhole = (
    name: string,
    revision: number,
    epoch: number,
    entries: Array<[string, string]>,
  ) => {
    const k = ns(name);
    return scripts.ccFillNamespace(
      [
        k.guard,
        k.fence,
        k.hash,
        ...entries.map(([key]) => k.latest(key)),
        ...entries.map(([key]) => cacheKeys.versionList(name, key)),
      ],
      [revision, epoch, 3600, 3600, 7200, ...entries.flat()],
    );
  };

  it('asks for a whole fill when the hash is missing or behind, then takes increments', async () => {
    expect(await fillChanges('a', 5, 4, 0, 'k', value(5))).toBe(2);
    expect(await client.exists(ns('a').latest('k'))).toBe(0);
    expect(
      await fillWhole('a', 5, 0, [
        ['k', value(5)],
        ['gone', ''],
      ]),
    ).toBe(1);
    expect(await client.hgetall(ns('a').hash)).toEqual({ k: value(5) });
    expect(await fillChanges('a', 7, 5, 0, 'k', value(7, 'w'))).toBe(1);
    expect(await client.get(ns('a').latest('k'))).toBe(value(7, 'w'));
    expect(await client.hget(ns('a').hash, 'k')).toBe(value(7, 'w'));
    expect(await client.ttl(ns('a').latest('k'))).toBeGreaterThan(3590);
    // A gap (the hash shows 7, this increment starts from 8): whole fill, nothing written.
    expect(await fillChanges('a', 9, 8, 0, 'k', value(9))).toBe(2);
    expect(await client.get(ns('a').latest('k'))).toBe(value(7, 'w'));
  });

  it('drops the version lists of a namespace it fills whole (a fill Redis missed may miss on them)', async () => {
    const list = cacheKeys.versionList('h', 'k');
    await client.zadd(list, 1000, '1');
    expect(await fillWhole('h', 2, 0, [['k', value(2)]])).toBe(1);
    expect(await client.exists(list)).toBe(0);
  });

  it('refuses a fill older than what Redis shows (a slow or old leader)', async () => {
    expect(await fillWhole('b', 10, 0, [['k', value(10)]])).toBe(1);
    expect(await fillChanges('b', 8, 7, 0, 'k', value(8))).toBe(0);
    expect(await fillWhole('b', 9, 0, [['k', value(9)]])).toBe(0);
    expect(await fillChanges('b', 10, 9, 0, 'k', value(10, 'again'))).toBe(0);
    expect(await client.get(ns('b').latest('k'))).toBe(value(10));
  });

  it('deletes a deleted key and its hash field', async () => {
    expect(
      await fillWhole('c', 3, 0, [
        ['k', value(3)],
        ['j', value(2)],
      ]),
    ).toBe(1);
    expect(await fillChanges('c', 4, 3, 0, 'k', '')).toBe(1);
    expect(await client.exists(ns('c').latest('k'))).toBe(0);
    expect(await client.hkeys(ns('c').hash)).toEqual(['j']);
  });

  it('refuses a fill whose routing epoch is below the fence', async () => {
    await client.set(ns('d').fence, '3');
    expect(await fillWhole('d', 1, 2, [['k', value(1)]])).toBe(-1);
    expect(await fillWhole('d', 1, 3, [['k', value(1)]])).toBe(1);
    const versionKey = cacheKeys.version('d', 'k', 1);
    expect(
      await scripts.ccFillVersion(
        [ns('d').fence, versionKey, cacheKeys.pruned()],
        [2, '{}', 60, 1],
      ),
    ).toBe(-1);
  });

  it('refuses a version read before the last prune', async () => {
    const key = cacheKeys.version('e', 'k', 1);
    expect(await scripts.ccRaise([cacheKeys.pruned()], [50])).toBe(1);
    expect(await scripts.ccRaise([cacheKeys.pruned()], [40])).toBe(0);
    expect(
      await scripts.ccFillVersion([ns('e').fence, key, cacheKeys.pruned()], [0, '{}', 60, 49]),
    ).toBe(0);
    expect(await client.exists(key)).toBe(0);
    expect(
      await scripts.ccFillVersion([ns('e').fence, key, cacheKeys.pruned()], [0, '{}', 60, 50]),
    ).toBe(1);
    expect(await client.ttl(key)).toBeGreaterThan(50);
  });

  it('fills a version list only if no later write was filled, and extends only a list it holds', async () => {
    const list = cacheKeys.versionList('f', 'k');
    const extend = () => scripts.ccExtendVersionList([ns('f').fence, list], [0, 3000, 3]);
    expect(await extend()).toBe(0);
    await client.set(ns('f').guard, '20');
    expect(
      await scripts.ccFillVersionList([ns('f').guard, ns('f').fence, list], [19, 0, 1000, 1]),
    ).toBe(0);
    expect(
      await scripts.ccFillVersionList(
        [ns('f').guard, ns('f').fence, list],
        [20, 0, 1000, 1, 2000, 2],
      ),
    ).toBe(1);
    expect(await extend()).toBe(1);
    expect(await client.zrange(list, 0, -1, 'WITHSCORES')).toEqual([
      '1',
      '1000',
      '2',
      '2000',
      '3',
      '3000',
    ]);
    expect(await client.ttl(list)).toBe(-1);
  });

  it('fills a version-list page only if its read began at or after the last change of the list and the last prune', async () => {
    const pages = cacheKeys.versionPages('p', 'k:1');
    const fence = cacheKeys.epochFence('p');
    const page = (text: string) => JSON.stringify({ rows: [{ value: text }], total: 1 });
    const fillPage = (readIndex: number, json: string, epoch = 0) =>
      scripts.ccFillVersionPage(
        [fence, pages, cacheKeys.pruned()],
        [epoch, readIndex, '1:20', json, 3600],
      );
    const reset = (index: number, epoch = 0) =>
      scripts.ccResetVersionPages([fence, pages], [epoch, index, 3600]);
    // Far above what other tests raised `cc:pruned` to.
    await scripts.ccRaise([cacheKeys.pruned()], [1000]);
    expect(await fillPage(1000, page('a'))).toBe(1);
    expect(await client.hget(pages, '1:20')).toBe(page('a'));
    expect(await client.ttl(pages)).toBeGreaterThan(3590);
    // A write at 1005: the pages go, `since` stays; a read that began at 1004 raced it.
    expect(await reset(1005)).toBe(1);
    expect(await client.hgetall(pages)).toEqual({ since: '1005' });
    expect(await fillPage(1004, page('old'))).toBe(0);
    expect(await client.hget(pages, '1:20')).toBeNull();
    expect(await fillPage(1005, page('b'))).toBe(1);
    // `since` never goes down (a repair with an older index).
    expect(await reset(1001)).toBe(1);
    expect(await client.hgetall(pages)).toEqual({ since: '1005' });
    // A prune at 1010: a read that began before it is refused, even with no change of the list.
    await scripts.ccRaise([cacheKeys.pruned()], [1010]);
    expect(await fillPage(1008, page('c'))).toBe(0);
    expect(await fillPage(1010, page('d'))).toBe(1);
    // A namespace moved on (fence 3): neither a fill nor a reset of an older epoch lands.
    await client.set(fence, '3');
    expect(await fillPage(1020, page('e'), 2)).toBe(-1);
    expect(await reset(1020, 2)).toBe(-1);
    expect(await client.hgetall(pages)).toEqual({ since: '1005', '1:20': page('d') });
    await client.del(fence, pages);
  });

  describe('a namespace too large for one script, refilled in parts', () => {
    const durations = new Histogram({
      name: 'refill_test_duration',
      help: 'x',
      labelNames: ['cache_type', 'operation'],
      registers: [],
    });
    const counter = (name: string) =>
      new Counter({ name, help: 'x', labelNames: ['cache_type', 'hit', 'query'], registers: [] });
    const metrics = new CacheMetrics(counter('refill_hits'), durations, counter('refill_queries'));
    const route = () => ({ node: 'default', client, epoch: 0 });
    const partsRun = async () =>
      (await durations.get()).values.find(
        (sample) =>
          sample.metricName === 'refill_test_duration_count' &&
          sample.labels.operation === 'fill_namespace_part',
      )?.value ?? 0;
    const configs = (count: number, revision: number): ConfigRecord[] =>
      Array.from({ length: count }, (_, i) => ({
        id: i + 1,
        namespaceId: 1,
        key: `k${i}`,
        value: `v${revision}`,
        valueText: JSON.stringify(`v${revision}`),
        version: 1,
        description: null,
        status: 1,
        createdBy: null,
        updatedBy: null,
        revision,
        createRevision: 1,
        deleted: i % 10 === 9,
        createdAt: 0,
        updatedAt: 0,
      }));
    const staging = async (name: string) =>
      client.keys(`cc:refill:${name}:*`).then((keys) => keys.length);

    it('writes every latest key and the whole hash, then the guard, leaving no staging hash', async () => {
      const count = 2 * REFILL_PART_KEYS + 500;
      const before = await partsRun();
      await client.hset(ns('big').hash, 'stale-field', 'x');
      await refillNamespace(route(), 'big', 40, configs(count, 40), metrics);
      expect((await partsRun()) - before).toBe(3);
      const hash = await client.hgetall(ns('big').hash);
      expect(Object.keys(hash)).toHaveLength(count - count / 10);
      expect(hash['stale-field']).toBeUndefined();
      expect(JSON.parse(hash.k0)).toMatchObject({ value: 'v40', revision: 40 });
      expect(await client.get(ns('big').latest('k9'))).toBeNull();
      expect(JSON.parse((await client.get(ns('big').latest('k2400')))!).value).toBe('v40');
      expect(await client.get(ns('big').guard)).toBe('40');
      expect(await client.ttl(ns('big').hash)).toBeGreaterThan(3500);
      expect(await staging('big')).toBe(0);

      // Older than what Redis shows: nothing moves.
      await refillNamespace(route(), 'big', 39, configs(count, 39), metrics);
      expect(JSON.parse((await client.hget(ns('big').hash, 'k0'))!).value).toBe('v40');
      expect(await client.get(ns('big').guard)).toBe('40');
      expect(await staging('big')).toBe(0);
    });

    it('stops a refill overtaken by a later fill, and refuses a staging hash that is not whole', async () => {
      const k = ns('parts');
      const keysOf = (key: string) => [k.latest(key), cacheKeys.versionList('parts', key)];
      const part = (stage: string, revision: number, key: string) =>
        scripts.ccFillNamespacePart(
          [k.guard, k.fence, stage, ...keysOf(key)],
          [revision, 0, 3600, 300, key, value(revision)],
        );
      const commit = (stage: string, revision: number, live: number) =>
        scripts.ccCommitNamespace(
          [k.guard, k.fence, stage, k.hash],
          [revision, 0, 3600, 7200, live],
        );
      expect(await part('cc:refill:parts:a', 10, 'x')).toBe(1);
      await client.set(k.guard, '11');
      expect(await part('cc:refill:parts:a', 10, 'y')).toBe(0);
      expect(await commit('cc:refill:parts:a', 10, 2)).toBe(0);
      expect(await client.get(k.guard)).toBe('11');

      expect(await part('cc:refill:parts:b', 12, 'x')).toBe(1);
      await client.del('cc:refill:parts:b');
      expect(await commit('cc:refill:parts:b', 12, 1)).toBe(3);
      expect(await client.get(k.guard)).toBe('11');
      expect(await client.exists(k.hash)).toBe(0);
      await client.del('cc:refill:parts:a');
    });
  });

  it('releases the miss lock only with its owner token', async () => {
    const first = await MissLock.acquire(client, 'g', 'k');
    expect(first).not.toBeNull();
    expect(await MissLock.acquire(client, 'g', 'k')).toBeNull();
    const ttl = await client.pttl(cacheKeys.lock('g', 'k'));
    expect(ttl).toBeGreaterThan(4000);
    expect(ttl).toBeLessThanOrEqual(5000);
    // The lock expired and another owner took it: the first owner's release leaves it alone.
    await client.set(cacheKeys.lock('g', 'k'), 'someone-else', 'PX', 5000);
    expect(await first!.release()).toBe(false);
    expect(await client.get(cacheKeys.lock('g', 'k'))).toBe('someone-else');
    await client.del(cacheKeys.lock('g', 'k'));
    const second = await MissLock.acquire(client, 'g', 'k');
    expect(await second!.release()).toBe(true);
    expect(await client.exists(cacheKeys.lock('g', 'k'))).toBe(0);
  });
});
