import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SettingsRegistry } from '../settings/settings-registry';
import { CommandLog } from '../state/command-log';
import { versionAt } from '../version/version-reads';
import { StateService } from '../state/state.service';
import { CACHE_TTL_SECONDS, cacheKeys } from './cache-keys';
import { CacheFiller } from './cache-filler';
import { CachedVersionReads } from './cached-version-reads';
import { CACHE_WARMUP_SETTING } from './cache-warmup.setting';
import { isConnected } from './redis-client';
import { RedisShards } from './redis-shards';
import { ReadHeat } from './read-heat';

/** The leader renews the TTL of the hot keys' `config:{ns}:{key}` this often (spec 3.4.1). */
const RENEW_HOT_KEYS_MS = 10 * 60_000;
const FIRST_PAGE = 20;

/**
 * Warm-up after a start (spec 3.4.2 3.): the `_system` `cache_warmup` namespaces first, then the
 * hottest keys by recent reads. It runs in the background, bounded by `max_seconds`: readiness
 * never waits for it, nor for Redis.
 */
@Injectable()
export class CacheWarmup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Cache');
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly settings: SettingsRegistry,
    private readonly state: StateService,
    private readonly shards: RedisShards,
    private readonly filler: CacheFiller,
    private readonly reads: CachedVersionReads,
    private readonly heat: ReadHeat,
    private readonly log: CommandLog,
  ) {
    settings.register('cache_warmup', CACHE_WARMUP_SETTING);
  }

  onApplicationBootstrap(): void {
    // Even with no shard yet: `cache_routes` may add one, and run() waits for it within its bound.
    void this.run();
    this.timer = setInterval(() => void this.renewHotKeys(), RENEW_HOT_KEYS_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One warm-up; resolves with what it did (a test and the log read it). */
  async run(): Promise<{ namespaces: number; hotKeys: number; timedOut: boolean }> {
    const settings = this.settings.get('cache_warmup');
    const deadline = Date.now() + settings.max_seconds * 1000;
    const done = { namespaces: 0, hotKeys: 0, timedOut: false };
    // Redis connects in the background; wait for it a little, within the bound.
    while (!this.shards.all().some((shard) => isConnected(shard.client))) {
      if (this.stopped || Date.now() > deadline) return { ...done, timedOut: true };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      done.namespaces = await this.filler.reconcile(null, settings.namespaces, deadline);
      if (Date.now() > deadline) return { ...done, timedOut: true };
      const reader = this.state.reader;
      for (const { namespace, key } of await this.heat.hottest(settings.hot_keys)) {
        if (this.stopped || Date.now() > deadline) return { ...done, timedOut: true };
        const record = reader.namespaceByName(namespace);
        const config = record && reader.config(record.id, key);
        if (!record || !config) continue;
        const at = versionAt(reader.appliedIndex, record, config);
        await this.reads.versionSizes(at, 1, FIRST_PAGE);
        await this.reads.listVersions(at, 1, FIRST_PAGE);
        done.hotKeys += 1;
      }
    } catch (error) {
      this.logger.warn(`cache warm-up stopped: ${(error as Error).message}`);
    }
    this.logger.log(
      `cache warm-up: ${done.namespaces} namespaces filled, ${done.hotKeys} hot keys loaded`,
    );
    return done;
  }

  /** Hot keys' latest values stay in Redis past their hour (only the node that fills renews). */
  private async renewHotKeys(): Promise<void> {
    if (!this.log.leads()) return;
    const settings = this.settings.get('cache_warmup');
    try {
      for (const { namespace, key } of await this.heat.hottest(settings.hot_keys)) {
        const route = this.shards.route(namespace);
        if (!route || !isConnected(route.client)) continue;
        await route.client.expire(cacheKeys.latest(namespace, key), CACHE_TTL_SECONDS.latest);
      }
    } catch {
      // Redis away: the next round renews.
    }
  }
}
