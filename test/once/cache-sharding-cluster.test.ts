import Redis from 'ioredis';
import { namespaceOfCacheKey } from '../../apps/config-center/src/cache/sharding/shard-keys';
import { ClusterHarness, Json, log, must, sleep, waitFor } from '../support/cluster/harness';
import { uniqueName } from '../support/names';
import {
  cacheConnections,
  invalidationSubscribers,
  RedisProcess,
  startRedisProcess,
} from '../support/redis-process';

/**
 * Issue 14 item 2 on real processes: three nodes sharing two redis-servers. `_system/cache_routes`
 * changes are applied on every node without a restart (same epoch everywhere); a namespace is
 * moved between the shards and back while a writer keeps writing to it: after each acknowledged
 * write no spec key on either shard holds an older revision of it, and at the end the old shard
 * holds none of its keys, both fences hold the last epoch, and the new shard holds the latest.
 * Engine-independent: SQLite pass only.
 */
jest.setTimeout(240_000);

const SYSTEM = '_system';
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];

describe('cache sharding on a 3-node cluster with two Redis', () => {
  let redisA: RedisProcess;
  let redisB: RedisProcess;
  let shardA: Redis;
  let shardB: Redis;
  let cluster: ClusterHarness;
  let leader: string;
  let failed = true;

  beforeAll(async () => {
    [redisA, redisB] = await Promise.all([startRedisProcess(), startRedisProcess()]);
    shardA = new Redis(redisA.url);
    shardB = new Redis(redisB.url);
    cluster = await ClusterHarness.start({
      name: 'cache-shards',
      env: { REDIS_URL: redisA.url },
    });
    leader = await cluster.waitForLeader({ all: true });
  });

  afterAll(async () => {
    await cluster?.destroy(failed);
    shardA?.disconnect();
    shardB?.disconnect();
    await Promise.all([redisA?.stop(), redisB?.stop()]);
  });

  const ids = () => cluster.nodes.map((node) => node.id);
  const routesOn = async (id: string, namespace?: string): Promise<Json> =>
    must(
      await cluster.http(
        id,
        'GET',
        `/api/v1/admin/cache/routes${namespace ? `?namespace=${namespace}` : ''}`,
      ),
      `routes on ${id}`,
    );
  const table = (routes: Record<string, string>) => ({
    nodes: [
      { name: 'default', url: redisA.url },
      { name: 'b', url: redisB.url },
    ],
    routes,
  });
  /** Writes cache_routes on the leader; resolves once every node routes by it. */
  const setRoutes = async (value: Json): Promise<number> => {
    const written = must(
      await cluster.http(leader, 'PUT', '/api/v1/admin/config', {
        namespace: SYSTEM,
        key: 'cache_routes',
        value,
      }),
      'cache_routes',
    );
    await waitFor(`every node at epoch ${written.revision}`, async () => {
      const views = await Promise.all(ids().map((id) => routesOn(id)));
      return views.every((view) => view.epoch === written.revision);
    });
    return written.revision;
  };

  /** Every spec key (and guard) of `namespace` on a shard. */
  async function keysOf(shard: Redis, namespace: string): Promise<string[]> {
    const found: string[] = [];
    for (const pattern of ['config:*', 'namespace:configs:*', 'cc:rev:*', 'cc:vpages:*']) {
      let cursor = '0';
      do {
        const [next, keys] = await shard.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        found.push(...keys.filter((key) => namespaceOfCacheKey(key) === namespace));
      } while (cursor !== '0');
    }
    return found.sort();
  }

  /** The revisions of `key` that either shard shows (latest key and namespace hash field). */
  async function cachedRevisions(namespace: string, key: string): Promise<number[]> {
    const texts = await Promise.all(
      [shardA, shardB].flatMap((shard) => [
        shard.get(`config:${namespace}:${key}`),
        shard.hget(`namespace:configs:${namespace}`, key),
      ]),
    );
    return texts
      .filter((text): text is string => text !== null)
      .map((text) => (JSON.parse(text) as { revision: number }).revision);
  }

  it('applies cache_routes on every node without a restart, with one epoch everywhere', async () => {
    // Followers route by the seed (epoch 0) until they applied the bootstrap's entry.
    let seeded: Json[] = [];
    await waitFor('every node applied the seeded cache_routes', async () => {
      seeded = await Promise.all(ids().map((id) => routesOn(id, 'some-namespace')));
      return seeded.every((view) => view.epoch > 0 && view.epoch === seeded[0].epoch);
    });
    for (const view of seeded)
      expect(view.nodes.map((node: Json) => [node.name, node.url])).toEqual([
        ['default', redisA.url],
      ]);

    const epoch = await setRoutes(table({}));
    const views = await Promise.all(ids().map((id) => routesOn(id, 'some-namespace')));
    for (const view of views) {
      expect(view.nodes.map((node: Json) => [node.name, node.status])).toEqual([
        ['default', 'healthy'],
        ['b', 'healthy'],
      ]);
      expect(view.namespace).toEqual(views[0].namespace);
      expect(view.namespace.epoch).toBe(epoch);
    }
    failed = false;
  });

  it('moves a namespace between the shards and back under write load: nothing stale, old shard emptied, fences set', async () => {
    failed = true;
    const ns = uniqueName('moving');
    must(await cluster.createNamespace(leader, ns), 'namespace');
    await setRoutes(table({ [ns]: 'default' }));
    for (const key of KEYS)
      must(
        await cluster.http(leader, 'POST', '/api/v1/admin/config', {
          namespace: ns,
          key,
          value: 0,
        }),
        'create',
      );
    await waitFor('the leader filled shard A', async () => (await keysOf(shardA, ns)).length > 0);

    let writing = true;
    /** The shard every node routes the namespace to; null while a move is under way. */
    let settledOn: Redis | null = shardA;
    const leftovers: string[] = [];
    let writes = 0;
    const late: string[] = [];
    const stale: string[] = [];
    const writer = (async () => {
      for (let i = 1; writing; i++) {
        const key = KEYS[i % KEYS.length];
        const answer = await cluster.http(leader, 'PUT', '/api/v1/admin/config', {
          namespace: ns,
          key,
          value: i,
        });
        if (answer.body?.code !== 0) continue;
        writes++;
        const revision = answer.body.data.revision as number;
        const off = settledOn === shardA ? shardB : settledOn === shardB ? shardA : null;
        if (off) {
          // Between moves the other shard holds nothing of the namespace, whatever the timing.
          const held = [
            await off.get(`config:${ns}:${key}`),
            await off.hget(`namespace:configs:${ns}`, key),
          ];
          if (held.some((text) => text !== null))
            leftovers.push(`${key}@${revision}: ${held.join(' ')}`);
        }
        const older = (await cachedRevisions(ns, key)).filter((seen) => seen < revision);
        if (older.length === 0) continue;
        // The acknowledgement waits ~100 ms for the fill; a fill later than that is the cache's
        // bound, not a leftover of a move: stale only if it is still there a second later.
        late.push(`${key}@${revision} saw ${older.join(',')}`);
        await sleep(1000);
        const still = (await cachedRevisions(ns, key)).filter((seen) => seen < revision);
        if (still.length > 0) stale.push(`${key}@${revision}: ${still.join(',')}`);
      }
    })();

    let epoch = 0;
    for (const target of ['b', 'default', 'b', 'default']) {
      await sleep(400);
      settledOn = null;
      epoch = await setRoutes(table({ [ns]: target }));
      settledOn = target === 'b' ? shardB : shardA;
      const route = (await routesOn(leader, ns)).namespace;
      expect(route).toEqual({ namespace: ns, node: target, epoch, explicit: true });
      log(`${ns} on ${target} at epoch ${epoch} after ${writes} writes`);
    }
    await sleep(400);
    writing = false;
    await writer;
    log(
      `${writes} acknowledged writes; fills later than the acknowledgement: ${late.length} ${late.join('; ')}`,
    );
    expect(stale).toEqual([]);
    expect(leftovers).toEqual([]);
    expect(writes).toBeGreaterThan(10);

    // Back on A: B keeps nothing of it, both fences hold the last epoch.
    expect(await keysOf(shardB, ns)).toEqual([]);
    expect(await shardA.get(`cc:epoch:${ns}`)).toBe(String(epoch));
    expect(await shardB.get(`cc:epoch:${ns}`)).toBe(String(epoch));
    // A holds each key at its latest revision (filled on the move back, then on apply).
    const latest = new Map<string, number>();
    for (const key of KEYS) {
      const data = must(
        await cluster.http(leader, 'GET', `/api/v1/config/get?namespace=${ns}&key=${key}`),
        'get',
      );
      latest.set(key, data.revision as number);
    }
    await waitFor('shard A holds the latest of every key', async () => {
      for (const key of KEYS) {
        const text = await shardA.get(`config:${ns}:${key}`);
        if (!text || (JSON.parse(text) as { revision: number }).revision !== latest.get(key))
          return false;
      }
      return true;
    });
    failed = false;
  });

  it('re-points a node to another url: every node leaves the old Redis and listens on the new one', async () => {
    failed = true;
    await setRoutes({ nodes: [{ name: 'default', url: redisB.url }], routes: {} });
    await waitFor('no node connected to the old url, each subscribed on the new one', async () => {
      return (
        (await cacheConnections(shardA)) === 0 &&
        (await invalidationSubscribers(shardB)) === ids().length
      );
    });
    // A follower's write is settled by the leader's invalidation on the new Redis.
    const follower = ids().find((id) => id !== leader)!;
    const ns = uniqueName('repointed');
    must(await cluster.createNamespace(leader, ns), 'namespace');
    const written = must(await cluster.createConfig(follower, ns, 'k', 1), 'write on a follower');
    await waitFor('the new Redis holds the write', async () => {
      const text = await shardB.get(`config:${ns}:k`);
      return (
        text !== null && (JSON.parse(text) as { revision: number }).revision === written.revision
      );
    });
    failed = false;
  });
});
