import { Injectable, OnModuleInit } from '@nestjs/common';
import { ComponentHealth, HealthRegistry } from '../observability/health-registry';
import { REDIS_COMMAND_TIMEOUT_MS } from './redis-client';
import { RedisShards, ShardRoute } from './redis-shards';

/**
 * `redis` in the health registry (DESIGN 16): not critical. Redis away makes the node
 * `degraded`, never `unhealthy`: reads and writes go on without it (DESIGN 6).
 */
@Injectable()
export class RedisHealth implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly shards: RedisShards,
  ) {}

  onModuleInit(): void {
    this.registry.register({ name: 'redis', critical: false, check: () => this.check() });
  }

  private async check(): Promise<ComponentHealth> {
    const shards = this.shards.all();
    if (shards.length === 0) return { status: 'healthy', configured: false };
    const nodes = await Promise.all(shards.map((shard) => probe(shard)));
    const down = nodes.filter((node) => node.status !== 'healthy');
    return {
      status: down.length === 0 ? 'healthy' : 'unhealthy',
      configured: true,
      latency_ms: Math.max(...nodes.map((node) => node.latency_ms ?? 0)),
      nodes,
    };
  }
}

async function probe(shard: ShardRoute): Promise<ComponentHealth & { node: string }> {
  const started = performance.now();
  try {
    await untilReady(shard, REDIS_COMMAND_TIMEOUT_MS);
    await shard.client.ping();
    return {
      node: shard.node,
      status: 'healthy',
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
    };
  } catch (error) {
    return {
      node: shard.node,
      status: 'unhealthy',
      connection: shard.client.status,
      error: (error as Error).message,
      timeout_ms: REDIS_COMMAND_TIMEOUT_MS,
    };
  }
}

/** A client still connecting (just started, or reconnecting) gets a moment before the ping. */
async function untilReady(shard: ShardRoute, timeoutMs: number): Promise<void> {
  if (shard.client.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    shard.client.once('ready', done);
    function done(): void {
      clearTimeout(timer);
      shard.client.off('ready', done);
      resolve();
    }
  });
}
