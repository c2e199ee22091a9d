import Redis from 'ioredis';
import { cacheKeys } from '../../apps/config-center/src/cache/cache-keys';
import { ClusterHarness, Json, must, waitFor } from '../support/cluster/harness';
import { uniqueName } from '../support/names';
import { RedisProcess, startRedisProcess } from '../support/redis-process';

jest.setTimeout(180_000);

/**
 * Three node processes sharing one redis-server of the test's own (issue 14 "What it must
 * show"): Redis never holds an older revision than an acknowledged write, a stampede on one
 * historical version reaches the database once, and Redis crashing mid-test fails no read and
 * leaves nothing stale.
 */
describe('cache on a cluster sharing one Redis', () => {
  let redis: RedisProcess;
  let direct: Redis;
  let cluster: ClusterHarness;

  beforeAll(async () => {
    redis = await startRedisProcess();
    direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    direct.on('error', () => undefined);
    cluster = await ClusterHarness.start({ name: 'cache', env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await cluster?.destroy();
    direct?.disconnect();
    await redis?.stop();
  });

  const ids = () => cluster.nodes.map((node) => node.id);
  const get = (id: string, path: string, query: Record<string, string | number>) =>
    cluster.http(
      id,
      'GET',
      `${path}?${new URLSearchParams(
        Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
      )}`,
    );
  const redisRevision = async (key: string): Promise<number | null> => {
    const text = await direct.get(key);
    return text === null ? null : (JSON.parse(text) as { revision: number }).revision;
  };
  const versionQueries = async (): Promise<number> => {
    let total = 0;
    for (const id of ids())
      total +=
        (await cluster.metrics(id)).get('config_center_db_queries_total{query="version"}') ?? 0;
    return total;
  };

  it('after each acknowledged write, on any node, no spec key in Redis holds an older revision', async () => {
    const ns = uniqueName('cache');
    must(await cluster.createNamespace('node-1', ns), 'create namespace');
    const keys = ['plain', 'with:colon', '键'];
    const exists = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const id = ids()[i % 3];
      const key = keys[i % keys.length];
      if (exists.has(key) && i % 5 === 4) {
        const query = new URLSearchParams({ namespace: ns, key });
        must(await cluster.http(id, 'DELETE', `/api/v1/admin/config?${query}`), 'delete');
        exists.delete(key);
        expect(await direct.exists(cacheKeys.latest(ns, key))).toBe(0);
        expect(await direct.hexists(cacheKeys.namespace(ns), key)).toBe(0);
      } else {
        const written = must(
          exists.has(key)
            ? await cluster.updateConfig(id, ns, key, i)
            : await cluster.createConfig(id, ns, key, i),
          'write',
        );
        exists.add(key);
        const revision = written.revision as number;
        expect(await redisRevision(cacheKeys.latest(ns, key))).toBeGreaterThanOrEqual(revision);
        const field = await direct.hget(cacheKeys.namespace(ns), key);
        expect(field).not.toBeNull();
        expect((JSON.parse(field!) as Json).revision).toBeGreaterThanOrEqual(revision);
      }
      for (const other of exists) {
        const node = must(await cluster.getConfig(id, ns, other), 'read');
        const cached = await redisRevision(cacheKeys.latest(ns, other));
        if (cached !== null) expect(cached).toBeGreaterThanOrEqual(node.revision);
      }
    }
  });

  it('1,000 concurrent misses on one historical version reach the database once', async () => {
    const ns = uniqueName('stampede');
    must(await cluster.createNamespace('node-1', ns), 'create namespace');
    must(await cluster.createConfig('node-1', ns, 'k', 'v1'), 'create');
    for (const value of ['v2', 'v3'])
      must(await cluster.updateConfig('node-2', ns, 'k', value), 'update');
    // Filled on apply: take it out of Redis, so every node misses.
    await waitFor(
      'version 1 in redis',
      async () => (await direct.exists(cacheKeys.version(ns, 'k', 1))) === 1,
    );
    await direct.del(cacheKeys.version(ns, 'k', 1));
    const before = await versionQueries();
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        get(ids()[i % 3], '/api/v1/config/get', { namespace: ns, key: 'k', version: 1 }),
      ),
    );
    const failures = answers.filter(
      (answer) => answer.body?.code !== 0 || answer.body.data.value !== 'v1',
    );
    expect(failures.slice(0, 3)).toEqual([]);
    expect((await versionQueries()) - before).toBe(1);
    expect(await direct.exists(cacheKeys.version(ns, 'k', 1))).toBe(1);
  });

  it('Redis crashed and restarted mid-test: no failed read, nothing stale after', async () => {
    const ns = uniqueName('crash');
    must(await cluster.createNamespace('node-1', ns), 'create namespace');
    for (const key of ['a', 'b'])
      must(await cluster.createConfig('node-1', ns, key, `${key}-0`), 'create');
    let reading = true;
    const readFailures: string[] = [];
    let reads = 0;
    const reader = async (id: string) => {
      while (reading) {
        for (const [path, query] of [
          ['/api/v1/config/get', { namespace: ns, key: 'a' }],
          ['/api/v1/config/get', { namespace: ns, key: 'a', version: 1 }],
          ['/api/v1/config/versions', { namespace: ns, key: 'b' }],
          [`/api/v1/config/namespace/${ns}`, {}],
        ] as const) {
          const answer = await get(id, path, query);
          reads += 1;
          if (answer.body?.code !== 0)
            readFailures.push(
              `${id} ${path}: ${answer.status} ${answer.error ?? JSON.stringify(answer.body)}`,
            );
        }
      }
    };
    const readers = ids().map((id) => reader(id));
    let round = 0;
    const write = async () => {
      round += 1;
      for (const key of ['a', 'b'])
        must(await cluster.updateConfig(ids()[round % 3], ns, key, `${key}-${round}`), 'update');
    };
    await write();
    await redis.crash();
    for (let i = 0; i < 5; i++) await write();
    await redis.start();
    for (let i = 0; i < 3; i++) await write();
    reading = false;
    await Promise.all(readers);
    expect(readFailures.slice(0, 5)).toEqual([]);
    expect(reads).toBeGreaterThan(20);
    // Nothing stale: Redis shows each key's last revision (the leader reconciles on reconnect).
    const expected = new Map<string, number>();
    for (const key of ['a', 'b'])
      expected.set(key, must(await cluster.getConfig('node-1', ns, key), 'read').revision);
    await waitFor('redis to show the last writes', async () => {
      for (const [key, revision] of expected)
        if ((await redisRevision(cacheKeys.latest(ns, key))) !== revision) return false;
      return true;
    });
    const hash = await direct.hgetall(cacheKeys.namespace(ns));
    expect(Object.keys(hash).sort()).toEqual(['a', 'b']);
    for (const [key, revision] of expected)
      expect((JSON.parse(hash[key]) as Json).revision).toBe(revision);
  });

  it('a new leader goes on filling: nothing older than an acknowledged write after a failover', async () => {
    const ns = uniqueName('failover');
    must(await cluster.createNamespace('node-1', ns), 'create namespace');
    must(await cluster.createConfig('node-1', ns, 'k', 0), 'create');
    const leader = await cluster.waitForLeader();
    await cluster.kill(leader);
    const next = await cluster.waitForLeader({ exclude: leader });
    const survivors = ids().filter((id) => id !== leader);
    for (let i = 1; i <= 4; i++) {
      const written = must(await cluster.updateConfig(survivors[i % 2], ns, 'k', i), 'update');
      expect(await redisRevision(cacheKeys.latest(ns, 'k'))).toBeGreaterThanOrEqual(
        written.revision,
      );
    }
    expect(next).not.toBe(leader);
    await cluster.restart(leader);
    await waitFor('the old leader to catch up', async () => {
      const answer = await cluster.getConfig(leader, ns, 'k');
      return answer.body?.data?.value === 4;
    });
  });
});
