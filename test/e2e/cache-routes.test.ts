import Redis from 'ioredis';
import { Api, Json, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';
import { waitFor } from '../support/cluster/harness';
import {
  cacheConnections,
  invalidationSubscribers,
  RedisProcess,
  startRedisProcess,
} from '../support/redis-process';

// Redis cuts, reconnects and repairs take seconds on a loaded machine.
jest.setTimeout(30_000);

const SYSTEM = '_system';

/**
 * Issue 14 item 2 on one node: `_system/cache_routes` refused with 40002 before it is proposed
 * when it names an unknown node, repeats a name or has a bad url; a change applied without a
 * restart (the admin endpoint shows the new route and epoch); a moved namespace's spec keys
 * deleted on the old shard and its fence raised on both; the shards' health; REDIS_URL that
 * disagrees shown. Two redis-servers of the suite's own (never the shared one).
 */
describe('cache routes (client-side sharding) on one node', () => {
  let server: TestApp | undefined;
  let api: Api;
  let redisA: RedisProcess;
  let redisB: RedisProcess;
  let clientA: Redis;
  let clientB: Redis;
  let original: Json;

  const routesView = async (namespace?: string): Promise<Json> =>
    ok(await api.get('/api/v1/admin/cache/routes', namespace ? { namespace } : {}));
  const setting = async (): Promise<Json> =>
    (ok(await api.get('/api/v1/admin/settings')).list as Json[]).find(
      (item) => item.key === 'cache_routes',
    );
  /** Writes the setting and waits until the node routes by it (the epoch is its revision). */
  const setRoutes = async (value: Json): Promise<number> => {
    const written = ok(await api.updateConfig(SYSTEM, 'cache_routes', value));
    await waitFor('the node routes by the new table', async () => {
      return (await routesView()).epoch === written.revision;
    });
    return written.revision;
  };

  beforeAll(async () => {
    [redisA, redisB] = await Promise.all([startRedisProcess(), startRedisProcess()]);
    clientA = new Redis(redisA.url);
    clientB = new Redis(redisB.url);
    server = await startApp({ REDIS_URL: redisA.url });
    api = server.api;
    original = (await setting()).value;
  });

  afterAll(async () => {
    if (server) {
      // The suite's database may be shared with later suites: leave what the bootstrap wrote.
      if (original) ok(await api.updateConfig(SYSTEM, 'cache_routes', original));
      await server.close();
    }
    clientA?.disconnect();
    clientB?.disconnect();
    await Promise.all([redisA?.stop(), redisB?.stop()]);
    removeSuiteDatabase();
  });

  it('refuses a route to an unknown node, duplicate names and bad urls with 40002, unproposed', async () => {
    const before = await setting();
    const a = { name: 'a', url: redisA.url };
    const refused = [
      { nodes: [a], routes: { billing: 'nowhere' } },
      { nodes: [a, { name: 'a', url: redisB.url }], routes: {} },
      { nodes: [{ name: 'a', url: 'http://127.0.0.1:1' }], routes: {} },
      { nodes: [{ name: 'a', url: 'redis://127.0.0.1:1/x' }], routes: {} },
      { nodes: [{ name: 'a b', url: redisA.url }], routes: {} },
      { nodes: [a] },
    ];
    for (const value of refused) {
      const body = fails(await api.updateConfig(SYSTEM, 'cache_routes', value), 40002);
      expect(body.error.details.length).toBeGreaterThan(0);
    }
    const unknownNode = fails(await api.updateConfig(SYSTEM, 'cache_routes', refused[0]), 40002);
    expect(unknownNode.error.details).toEqual([
      { field: 'value/routes/billing', errors: ['routes to unknown node nowhere (nodes: a)'] },
    ]);
    expect((await setting()).version).toBe(before.version);
  });

  it('applies new routes without a restart: the endpoint shows each namespace’s node and epoch', async () => {
    const epoch = await setRoutes({
      nodes: [
        { name: 'a', url: redisA.url },
        { name: 'b', url: redisB.url },
      ],
      routes: { billing: 'b' },
    });
    const view = await routesView('billing');
    expect(view.namespace).toEqual({ namespace: 'billing', node: 'b', epoch, explicit: true });
    expect(view.routes).toEqual({ billing: 'b' });
    expect(view.nodes.map((node: Json) => [node.name, node.status])).toEqual([
      ['a', 'healthy'],
      ['b', 'healthy'],
    ]);
    const hashed = (await routesView('some-other-namespace')).namespace;
    expect(hashed).toMatchObject({ explicit: false, epoch });
    expect(['a', 'b']).toContain(hashed.node);
    expect(view.redis_url).toEqual({ redis_url: `${redisA.url}`, in_cache_routes: true });
  });

  it('deletes a moved namespace’s spec keys on the old shard and fences it on both shards', async () => {
    const moved = uniqueName('moved');
    const stays = uniqueName('stays');
    await setRoutes({
      nodes: [
        { name: 'a', url: redisA.url },
        { name: 'b', url: redisB.url },
      ],
      routes: { [moved]: 'a', [stays]: 'a', versions: 'a' },
    });
    const specKeys = (namespace: string) => [
      `config:${namespace}:db%3Ahost`,
      `config:version:${namespace}:db%3Ahost:3`,
      `config:versions:${namespace}:db%3Ahost`,
      `namespace:configs:${namespace}`,
    ];
    for (const namespace of [moved, stays, 'versions']) {
      for (const key of specKeys(namespace)) await clientA.set(key, '{"revision":1}');
    }
    await clientA.set(`cc:rev:${moved}`, '1');
    // Namespace `versions`' own key looks like a version list of `moved`'s namespace: it stays.
    await clientA.set(`config:versions:${moved}`, '{"revision":1}');
    // A stray key on the new shard (from a node on an older table) predates the move: it goes.
    await clientB.set(`config:${moved}:db%3Ahost`, '{"revision":0}');
    const epoch = await setRoutes({
      nodes: [
        { name: 'a', url: redisA.url },
        { name: 'b', url: redisB.url },
      ],
      routes: { [moved]: 'b', [stays]: 'a', versions: 'a' },
    });
    await waitFor('old keys deleted', async () => (await clientA.exists(specKeys(moved))) === 0);
    expect(await clientA.exists(`cc:rev:${moved}`)).toBe(0);
    expect(await clientB.exists(`config:${moved}:db%3Ahost`)).toBe(0);
    expect(await clientA.exists(specKeys(stays))).toBe(4);
    expect(await clientA.exists(specKeys('versions'))).toBe(4);
    expect(await clientA.exists(`config:versions:${moved}`)).toBe(1);
    expect(await clientA.get(`cc:epoch:${moved}`)).toBe(String(epoch));
    expect(await clientB.get(`cc:epoch:${moved}`)).toBe(String(epoch));
    // Fenced at most when the previous table routed it here; not by this move.
    expect(Number((await clientA.get(`cc:epoch:${stays}`)) ?? 0)).toBeLessThan(epoch);
    expect((await routesView(moved)).namespace).toMatchObject({ node: 'b', explicit: true });
  });

  it('shows a shard that is away in health (degraded, not critical) and in the endpoint', async () => {
    await setRoutes({
      nodes: [
        { name: 'a', url: redisA.url },
        { name: 'b', url: redisB.url },
      ],
      routes: {},
    });
    await redisB.crash();
    try {
      const health = ok(await api.get('/api/v1/health'));
      expect(health.components.redis).toMatchObject({ status: 'degraded' });
      expect(health.components.redis.nodes[1]).toMatchObject({
        name: 'b',
        status: 'unhealthy',
      });
      expect(health.status).not.toBe('unhealthy');
      const view = await routesView();
      expect(view.nodes[1]).toMatchObject({ name: 'b', status: 'unhealthy' });
    } finally {
      await redisB.start();
    }
    await waitFor('b healthy again', async () => {
      const health = ok(await api.get('/api/v1/health'));
      return health.components.redis.status === 'healthy';
    });
  });

  it('says when REDIS_URL disagrees with cache_routes, and routes by cache_routes', async () => {
    await setRoutes({ nodes: [{ name: 'b', url: redisB.url }], routes: {} });
    const view = await routesView('billing');
    expect(view.redis_url).toEqual({
      redis_url: redisA.url,
      in_cache_routes: false,
      note: 'REDIS_URL is not a node of _system/cache_routes: cache_routes wins',
    });
    expect(view.namespace).toMatchObject({ node: 'b', explicit: false });
    const health = ok(await api.get('/api/v1/health'));
    expect(health.components.redis.redis_url.in_cache_routes).toBe(false);
  });

  it('closes its connections to a node removed from the routes or re-pointed elsewhere', async () => {
    await setRoutes({
      nodes: [
        { name: 'a', url: redisA.url },
        { name: 'b', url: redisB.url },
      ],
      routes: {},
    });
    await waitFor('a subscriber on each node', async () => {
      return (
        (await invalidationSubscribers(clientA)) >= 1 &&
        (await invalidationSubscribers(clientB)) >= 1
      );
    });
    await setRoutes({ nodes: [{ name: 'b', url: redisB.url }], routes: {} });
    await waitFor(
      'no connection left on the removed node',
      async () => {
        return (await cacheConnections(clientA)) === 0;
      },
      5000,
    );
    // Same name, another url: the node listens on the new Redis only.
    await setRoutes({ nodes: [{ name: 'b', url: redisA.url }], routes: {} });
    await waitFor(
      'the subscriber moved with the url',
      async () => {
        return (
          (await cacheConnections(clientB)) === 0 &&
          (await invalidationSubscribers(clientA)) === 1 &&
          (await invalidationSubscribers(clientB)) === 0
        );
      },
      5000,
    );
  }, 30_000);

  it('is documented in the OpenAPI document', async () => {
    const doc = (await api.get('/docs-json')).body;
    expect(doc.paths['/api/v1/admin/cache/routes'].get.parameters).toEqual([
      expect.objectContaining({ name: 'namespace', in: 'query', required: false }),
    ]);
  });

  it('is for admins only', async () => {
    fails(await api.anonymous().get('/api/v1/admin/cache/routes'), 40101);
    const reader = ok(
      await api.post('/api/v1/admin/tokens', {
        client_id: uniqueName('reader'),
        role: 'reader',
        namespaces: ['billing'],
      }),
    );
    fails(
      await api
        .with({ authorization: `Bearer ${reader.token}` })
        .get('/api/v1/admin/cache/routes', { namespace: 'billing' }),
      40301,
    );
    fails(await api.get('/api/v1/admin/cache/routes', { namespace: 'bad name' }), 40002);
  });
});
