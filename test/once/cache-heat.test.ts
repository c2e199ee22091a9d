import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { ADMIN_HEADERS } from '../support/auth';
import { waitFor } from '../support/cluster/harness';
import { uniqueName } from '../support/names';
import { NodeProcess, ensureBuilt, startNodeProcess } from '../support/node-process';
import { RedisProcess, startRedisProcess } from '../support/redis-process';

jest.setTimeout(90_000);

/**
 * The warm-up's hot keys count the reads read workers serve too (HTTP_WORKERS=2): they reach
 * `cc:heat` in Redis within the node's 10 s flush.
 */
describe('read heat with read workers', () => {
  let redis: RedisProcess;
  let direct: Redis;
  let node: NodeProcess;

  beforeAll(async () => {
    ensureBuilt();
    redis = await startRedisProcess();
    direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    // A database of its own: REDIS_URL seeds `_system/cache_routes` only in a fresh one (in a
    // database an earlier suite used, the routes it left would win and name another Redis).
    const database = `sqlite:${join(mkdtempSync(join(tmpdir(), 'cc-heat-')), 'node.sqlite')}`;
    node = await startNodeProcess(
      { DATABASE_URL: database, HTTP_WORKERS: '2', REDIS_URL: redis.url },
      60_000,
    );
  });
  afterAll(async () => {
    await node?.stop();
    direct?.disconnect();
    await redis?.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${node.baseUrl}${path}`, {
      method,
      headers: {
        ...ADMIN_HEADERS,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as { code: number };
  };

  it('adds the latest-value reads the workers served to cc:heat', async () => {
    const namespace = uniqueName('heat');
    expect((await call('POST', '/api/v1/admin/namespace', { name: namespace })).code).toBe(0);
    expect(
      (await call('POST', '/api/v1/admin/config', { namespace, key: 'hot:key', value: 1 })).code,
    ).toBe(0);
    for (let i = 0; i < 20; i++)
      expect(
        (await call('GET', `/api/v1/config/get?namespace=${namespace}&key=hot%3Akey`)).code,
      ).toBe(0);
    await waitFor(
      'the reads in cc:heat',
      async () => Number(await direct.zscore('cc:heat', `${namespace}:hot%3Akey`)) === 20,
      20_000,
    );
  });
});
