import Redis from 'ioredis';
import { TestApp, removeSuiteDatabase, startApp } from './app';
import { waitFor } from './cluster/harness';
import { LinkProxy } from './cluster/link-proxy';
import { RedisProcess, startRedisProcess } from './redis-process';

/** One node (in-process app) on a redis-server of the suite's own, and a client of that Redis. */
export interface CachedNode {
  server: TestApp;
  redis: RedisProcess;
  /** Set when the node reaches Redis through a TCP proxy (a test can cut it). */
  proxy?: LinkProxy;
  /** A client of the same Redis, straight to it: what readers outside the cluster see. */
  direct: Redis;
  /** The node's `redis` health status: healthy, degraded or unhealthy. */
  redisStatus(): Promise<string>;
  close(): Promise<void>;
}

/** Starts the Redis, then the node, and waits until the node is connected to it. */
export async function startCachedNode(
  env: Record<string, string> = {},
  options: { viaProxy?: boolean } = {},
): Promise<CachedNode> {
  const redis = await startRedisProcess();
  let proxy: LinkProxy | undefined;
  if (options.viaProxy) {
    proxy = new LinkProxy('node', 'redis', redis.port);
    await proxy.listen();
  }
  const direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  direct.on('error', () => undefined);
  const server = await startApp({
    REDIS_URL: proxy ? `redis://127.0.0.1:${proxy.port}` : redis.url,
    ...env,
  });
  const redisStatus = async (): Promise<string> =>
    (await server.api.get('/api/v1/health')).body.data.components.redis.status as string;
  // The node is ready without Redis; the tests start once it is connected.
  await waitFor('redis connected', async () => (await redisStatus()) === 'healthy');
  return {
    server,
    redis,
    proxy,
    direct,
    redisStatus,
    async close() {
      await server.close();
      direct.disconnect();
      await proxy?.close();
      await redis.stop();
      removeSuiteDatabase();
    },
  };
}
