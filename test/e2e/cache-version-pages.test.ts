import Redis from 'ioredis';
import { cacheKeys } from '../../apps/config-center/src/cache/cache-keys';
import { ok } from '../support/api';
import { TestApp } from '../support/app';
import { waitFor } from '../support/cluster/harness';
import { parseSamples, sampleValue } from '../support/prometheus';
import { CachedNode, startCachedNode } from '../support/cache-node';

// Redis cuts, reconnects and repairs take seconds on a loaded machine.
jest.setTimeout(30_000);

interface VersionsPage {
  list: Array<{ version: number; value: unknown; kept: boolean; created_by: string | null }>;
  pagination: { total: number };
}

/**
 * Version-list pages with Redis as the L2 (issue 14 item 1): one node whose memory is off
 * (CACHE_LOCAL_MAX_BYTES=0), so a page comes from Redis or the database; never an old page after
 * a write, a keep or a prune. Keep latest 2, no age rule; a redis-server of the suite's own.
 */
describe('version-list pages in Redis (one node, memory off)', () => {
  let server: TestApp;
  let direct: Redis;

  let node: CachedNode;
  beforeAll(async () => {
    node = await startCachedNode({
      CACHE_LOCAL_MAX_BYTES: '0',
      VERSION_RETENTION_KEEP_LATEST: '2',
      VERSION_RETENTION_KEEP_DAYS: '0',
    });
    ({ server, direct } = node);
  });
  afterAll(() => node?.close());

  const metrics = async () => parseSamples((await server.api.get('/api/v1/metrics')).text);
  const versions = async (name: string, query: Record<string, unknown> = {}) =>
    ok(
      await server.api.get('/api/v1/config/versions', { namespace: name, key: 'k', ...query }),
    ) as VersionsPage;
  const numbers = (page: VersionsPage) => page.list.map((row) => row.version);

  it('answers a page read twice from Redis the second time, without the database', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 'one'));
    ok(await api.updateConfig(name, 'k', { two: 2 }));
    const first = await versions(name);
    expect(numbers(first)).toEqual([2, 1]);
    expect(await direct.hexists(cacheKeys.versionPages(name, 'k'), '1:20')).toBe(1);
    const before = await metrics();
    const second = await versions(name);
    const after = await metrics();
    const delta = (metric: string, labels: Record<string, string>) =>
      sampleValue(after, metric, labels) - sampleValue(before, metric, labels);
    expect(second).toEqual(first);
    expect(delta('config_center_db_queries_total', { query: 'version_list' })).toBe(0);
    expect(delta('config_center_db_queries_total', { query: 'version_sizes' })).toBe(0);
    // One lookup for the page's sizes (the answer's bound), one for its rows.
    expect(delta('config_center_cache_hits_total', { cache_type: 'redis', hit: 'true' })).toBe(2);
    expect(await direct.ttl(cacheKeys.versionPages(name, 'k'))).toBeGreaterThan(3500);
  });

  it('never answers an old page after a write, a keep, a let-go or a prune', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 'v1'));
    ok(await api.updateConfig(name, 'k', 'v2'));
    expect(numbers(await versions(name))).toEqual([2, 1]);
    expect(numbers(await versions(name, { page: 2, page_size: 1 }))).toEqual([1]);

    ok(await api.updateConfig(name, 'k', 'v3'));
    expect(numbers(await versions(name))).toEqual([3, 2, 1]);
    expect(numbers(await versions(name, { page: 2, page_size: 1 }))).toEqual([2]);

    const keep = (version: number, kept: boolean) =>
      api.put('/api/v1/admin/config/version/keep', { namespace: name, key: 'k', version, kept });
    ok(await keep(1, true));
    expect((await versions(name)).list.map((row) => row.kept)).toEqual([false, false, true]);
    ok(await keep(1, false));
    expect((await versions(name)).list.map((row) => row.kept)).toEqual([false, false, false]);
    expect((await versions(name)).pagination.total).toBe(3);

    ok(await api.post('/api/v1/admin/config/versions/cleanup'));
    const pruned = await versions(name);
    expect(numbers(pruned)).toEqual([3, 2]);
    expect(pruned.pagination.total).toBe(2);
    expect(numbers(await versions(name, { page: 2, page_size: 1 }))).toEqual([2]);
  });

  it('does not answer a page the node knows to be older than a change, even before its reset', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 'v1'));
    expect(numbers(await versions(name))).toEqual([1]);
    const pages = cacheKeys.versionPages(name, 'k');
    const old = await direct.hget(pages, '1:20');
    ok(await api.updateConfig(name, 'k', 'v2'));
    // The leader's reset of the write: the page filled before it is gone.
    await waitFor('the reset', async () => (await direct.hexists(pages, '1:20')) === 0);
    // As if the leader's reset had not landed yet (a late or failed fill): the old page is back.
    await direct.del(pages);
    await direct.hset(pages, '1:20', old!);
    expect(numbers(await versions(name))).toEqual([2, 1]);
  });
});
