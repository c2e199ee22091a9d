import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../env/app-config';
import { ComponentHealth, HealthRegistry } from '../../observability/health-registry';
import { SettingsRegistry } from '../../settings/settings-registry';
import { RoutedRedisShards } from './routed-redis-shards';
import type Redis from 'ioredis';
import { redactedUrl, SHARD_COMMAND_TIMEOUT_MS } from './shard-clients';

export interface ShardNodeHealth {
  name: string;
  url: string;
  status: 'healthy' | 'unhealthy';
  latency_ms?: number;
  error?: string;
}

/** REDIS_URL against `cache_routes`: it only seeds the setting; afterwards the setting wins. */
export interface RedisUrlAgreement {
  redis_url: string;
  in_cache_routes: boolean;
  note?: string;
}

/**
 * The `redis` health component (DESIGN 16; not critical, DESIGN 6: Redis away makes the node
 * `degraded`, never `unhealthy`) with a PING per node of `cache_routes`, and the
 * REDIS_URL check: a node whose REDIS_URL is not among `cache_routes`' nodes says so once at
 * start (and again whenever a change of the routes makes them disagree) and in health.
 */
@Injectable()
export class ShardHealth implements OnApplicationBootstrap {
  private readonly logger = new Logger('CacheShards');
  private lastDisagreement: string | null = null;

  constructor(
    private readonly shards: RoutedRedisShards,
    private readonly health: HealthRegistry,
    private readonly settings: SettingsRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register({
      name: 'redis',
      critical: false,
      check: () => this.check(),
    });
    this.reportAgreement();
    this.settings.onChange('cache_routes', () => this.reportAgreement());
  }

  async nodes(): Promise<ShardNodeHealth[]> {
    return Promise.all(
      this.shards.table.nodes.map(async (node): Promise<ShardNodeHealth> => {
        const started = performance.now();
        const client = this.shards.client(node);
        try {
          // A client still connecting (a node just added, or reconnecting) gets a moment first.
          if (client.status !== 'ready') await untilReady(client, SHARD_COMMAND_TIMEOUT_MS);
          await client.ping();
          return {
            name: node.name,
            url: redactedUrl(node.url),
            status: 'healthy',
            latency_ms: Math.round((performance.now() - started) * 100) / 100,
          };
        } catch (error) {
          return {
            name: node.name,
            url: redactedUrl(node.url),
            status: 'unhealthy',
            error: (error as Error).message,
          };
        }
      }),
    );
  }

  agreement(): RedisUrlAgreement | null {
    const redisUrl = this.config.redisUrl;
    if (!redisUrl) return null;
    const inRoutes = this.routedNodes().some((node) => node.url === redisUrl);
    return {
      redis_url: redactedUrl(redisUrl),
      in_cache_routes: inRoutes,
      ...(inRoutes
        ? {}
        : { note: 'REDIS_URL is not a node of _system/cache_routes: cache_routes wins' }),
    };
  }

  /** The applied setting (the shards switch to it a moment later, after fencing). */
  private routedNodes() {
    return this.settings.get('cache_routes').nodes;
  }

  private async check(): Promise<ComponentHealth> {
    const nodes = await this.nodes();
    const down = nodes.filter((node) => node.status !== 'healthy').length;
    const status = down === 0 ? 'healthy' : down === nodes.length ? 'unhealthy' : 'degraded';
    const agreement = this.agreement();
    return {
      status,
      configured: nodes.length > 0,
      epoch: this.shards.table.epoch,
      nodes,
      ...(agreement ? { redis_url: agreement } : {}),
    };
  }

  private reportAgreement(): void {
    const agreement = this.agreement();
    const disagreement =
      agreement && !agreement.in_cache_routes
        ? `${agreement.redis_url} vs ${this.routedNodes()
            .map((node) => redactedUrl(node.url))
            .join(', ')}`
        : null;
    if (disagreement && disagreement !== this.lastDisagreement)
      this.logger.warn(
        `REDIS_URL ${agreement!.redis_url} disagrees with _system/cache_routes (nodes: ${
          this.routedNodes()
            .map((node) => `${node.name}=${redactedUrl(node.url)}`)
            .join(', ') || 'none'
        }): cache_routes wins; REDIS_URL only seeds it at the first start`,
      );
    this.lastDisagreement = disagreement;
  }
}

function untilReady(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
}
