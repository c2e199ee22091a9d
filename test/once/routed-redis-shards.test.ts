import Redis from 'ioredis';
import { CacheRoutesSettings } from '../../apps/config-center/src/settings/cache-routes-setting';
import {
  RoutedRedisShards,
  RoutesSource,
} from '../../apps/config-center/src/cache/sharding/routed-redis-shards';
import { createShardClient } from '../../apps/config-center/src/cache/sharding/shard-clients';
import { NamespaceMove } from '../../apps/config-center/src/cache/redis-shards';
import { LinkProxy } from '../support/cluster/link-proxy';
import { waitFor } from '../support/cluster/harness';
import { RedisProcess, startRedisProcess } from '../support/redis-process';

/**
 * RoutedRedisShards in process against two redis-servers, one behind a TCP proxy that can cut
 * it off: what a move does when a shard is away (the switch does not wait; the old shard loses
 * the moved namespace's keys once it is back), the onMove notice, and removed nodes' clients
 * closed. The routes come from a fake source (the real one is `_system`, tested end to end).
 */
jest.setTimeout(60_000);

class FakeRoutes implements RoutesSource {
  private listeners: Array<() => void> = [];
  constructor(
    private settings: CacheRoutesSettings,
    private epoch: number,
  ) {}
  current() {
    return { settings: this.settings, epoch: this.epoch };
  }
  onChange(listener: () => void) {
    this.listeners.push(listener);
    return () => undefined;
  }
  namespaces() {
    return ['app', 'other'];
  }
  keysOf() {
    return ['k'];
  }
  change(settings: CacheRoutesSettings, epoch: number) {
    this.settings = settings;
    this.epoch = epoch;
    for (const listener of this.listeners) listener();
  }
}

describe('RoutedRedisShards with a shard away', () => {
  let redisA: RedisProcess;
  let redisB: RedisProcess;
  let proxyA: LinkProxy;
  let directA: Redis;
  let directB: Redis;
  let shards: RoutedRedisShards | undefined;
  let routes: FakeRoutes;

  beforeAll(async () => {
    [redisA, redisB] = await Promise.all([startRedisProcess(), startRedisProcess()]);
    proxyA = new LinkProxy('cache', 'redis-a', redisA.port);
    await proxyA.listen();
    directA = new Redis(redisA.url);
    directB = new Redis(redisB.url);
  });
  afterAll(async () => {
    await shards?.close();
    directA.disconnect();
    directB.disconnect();
    await proxyA.close();
    await Promise.all([redisA.stop(), redisB.stop()]);
  });

  it('switches at once, and empties the old shard when it is back', async () => {
    const a = { name: 'a', url: `redis://127.0.0.1:${proxyA.port}` };
    const b = { name: 'b', url: redisB.url };
    routes = new FakeRoutes({ nodes: [a, b], routes: { app: 'a', other: 'a' } }, 10);
    shards = new RoutedRedisShards(routes, createShardClient);
    const moves: NamespaceMove[][] = [];
    shards.onMove((notice) => moves.push(notice));
    await waitFor('shard a connected', async () => shards!.route('app')!.client.status === 'ready');
    const appKeys = [
      'config:app:k',
      'config:version:app:k:1',
      'namespace:configs:app',
      'cc:rev:app',
      'cc:vpages:app:k',
    ];
    for (const key of [...appKeys, 'config:other:k']) await directA.set(key, '{"revision":5}');
    expect(shards.route('app')).toMatchObject({ node: 'a', epoch: 10 });

    proxyA.block();
    routes.change({ nodes: [a, b], routes: { app: 'b', other: 'a' } }, 11);
    await shards.settled();
    expect(shards.route('app')).toMatchObject({ node: 'b', epoch: 11 });
    expect(moves).toEqual([[{ namespace: 'app', from: 'a', to: 'b' }]]);
    expect(await directB.get('cc:epoch:app')).toBe('11');
    // A was away: nothing was deleted there yet.
    expect(await directA.exists(appKeys)).toBe(appKeys.length);

    proxyA.heal();
    await waitFor(
      'the old shard emptied once back',
      async () => (await directA.exists(appKeys)) === 0,
    );
    expect(await directA.get('cc:epoch:app')).toBe('11');
    expect(await directA.get('config:other:k')).toBe('{"revision":5}');
  });

  it('closes the client of a removed node after the switch', async () => {
    const clientA = shards!.route('other')!.client;
    routes.change({ nodes: [{ name: 'b', url: redisB.url }], routes: {} }, 12);
    await shards!.settled();
    expect(shards!.route('other')).toMatchObject({ node: 'b', epoch: 12 });
    expect(shards!.all().map((shard) => shard.node)).toEqual(['b']);
    await waitFor('client of a closed', async () => clientA.status === 'end');
  });
});
