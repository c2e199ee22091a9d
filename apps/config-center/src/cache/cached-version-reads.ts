import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { CacheMetrics } from '../observability/cache-metrics';
import { VersionQueries } from '../version/version-queries';
import { StoredVersion, VersionAt, VersionListRow, VersionReads } from '../version/version-reads';
import { CACHE_TTL_SECONDS, cacheKeys } from './cache-keys';
import { cacheScripts } from './cache-scripts';
import { versionJson } from './cache-values';
import { isConnected } from './redis-client';
import { MISS_LOCK_TTL_MS, MissLock } from './redis-lock';
import { RedisShards, ShardRoute } from './redis-shards';
import { BoundedMemoryCache, SingleFlight } from './single-flight';
import {
  parseVersionPage,
  VersionPage,
  versionPageField,
  versionPageJson,
  versionPageSizes,
} from './version-pages';

/** Memory for historical versions and version-list pages: bounded by count and bytes. */
const MEMORY_ENTRIES = 10_000;
/** While another node loads a missed version, we look for its fill this often. */
const LOCK_POLL_MS = 20;
/** Distinct page slots remembered per key (page and page size come from the request). */
const MAX_PAGES_PER_KEY = 256;

const versionSlot = (configId: number, version: number) => `${configId}\u0000v${version}`;
const keySlot = (namespace: string, key: string) => `${namespace}\u0000${key}\u0000`;
const listSlot = (at: VersionAt, what: string, page: number, pageSize: number) =>
  `${keySlot(at.namespace, at.key)}${what}:${page}:${pageSize}`;

/**
 * Historical reads, memory -> Redis -> database (DESIGN 5, 22). A version never changes once
 * written (DESIGN 13), so memory keeps it until pruned; list pages are dropped on every change
 * of their config (cache-filler.ts calls `forgetKey` on each node's apply); in Redis the leader
 * resets them (`cc:vpages:{ns}:{key}`, since-guarded fills). A miss loads once
 * per process (single flight) and once per cluster (the spec's lock in Redis). Redis that does
 * not answer is skipped: the database answers, a little slower.
 */
@Injectable()
export class CachedVersionReads extends VersionReads {
  private readonly logger = new Logger('Cache');
  private readonly versions: BoundedMemoryCache<StoredVersion>;
  private readonly pages: BoundedMemoryCache<unknown>;
  private readonly versionFlights = new SingleFlight<StoredVersion | null>();
  private readonly pageFlights = new SingleFlight<unknown>();
  /** Grows with every change forgotten: a load that began before one is not kept. */
  private generation = 0;
  /**
   * Key -> the log index of the last change to its version list this node applied, and the last
   * prune or reload for all keys: a page in Redis read before them is not answered, even while
   * the leader's reset of it is late or failed (Redis away).
   */
  private readonly listChangedAt = new Map<string, number>();
  /**
   * The last prune, reload or start here: nothing in Redis read before it is trusted, neither a
   * page nor a historical version (a prune's deletes in Redis may not have landed when it was
   * acknowledged, which waits at most ~100 ms for them, or were lost with Redis). Such a version
   * is read again from the database and filled anew.
   */
  private redisFloor = 0;
  /** Key -> its cached page slots, so a write drops its key's pages without a scan. */
  private readonly pageSlots = new Map<string, Set<string>>();

  constructor(
    private readonly queries: VersionQueries,
    private readonly shards: RedisShards,
    private readonly metrics: CacheMetrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    // Half each: versions never change, pages change with every write of their key.
    const bytes = Math.floor(config.cacheLocalMaxBytes / 2);
    this.versions = new BoundedMemoryCache(MEMORY_ENTRIES, bytes);
    this.pages = new BoundedMemoryCache(MEMORY_ENTRIES, bytes);
  }

  async findVersion(at: VersionAt, version: number): Promise<StoredVersion | null> {
    const slot = versionSlot(at.configId, version);
    const local = this.versions.get(slot);
    this.metrics.lookup('local', local !== undefined);
    if (local) return local;
    const generation = this.generation;
    // A read that began after a prune never joins a load that began before it.
    const found = await this.versionFlights.run(`${slot}@${generation}`, () =>
      this.loadVersion(at, version),
    );
    // A prune while it loaded may have removed it: then it is not kept.
    if (found && generation === this.generation)
      this.versions.set(slot, found, approximateBytes(found));
    return found;
  }

  /** From the same page in Redis as `listVersions` when it is there, else from the database. */
  versionSizes(at: VersionAt, page: number, pageSize: number): Promise<number[]> {
    return this.page(at, listSlot(at, 'sizes', page, pageSize), async () => {
      const cached = await this.pageFromRedis(at, page, pageSize);
      if (cached) return versionPageSizes(cached.rows);
      return this.queries.versionSizes(at.configId, page, pageSize);
    });
  }

  listVersions(at: VersionAt, page: number, pageSize: number): Promise<[VersionListRow[], number]> {
    return this.page(at, listSlot(at, 'rows', page, pageSize), async () => {
      const cached = await this.pageFromRedis(at, page, pageSize);
      if (cached) return [cached.rows, cached.total];
      const [rows, total] = await this.queries.listVersions(at.configId, page, pageSize);
      // The spec's sorted set, for readers outside the cluster: checked on a miss only.
      void this.fillVersionList(at);
      await this.fillPage(at, page, pageSize, rows, total);
      return [rows, total];
    });
  }

  /**
   * A config changed (any node's apply, at log index `changedAt`): its list pages are out of
   * date, here and in Redis until the leader's reset lands.
   */
  forgetKey(namespace: string, key: string, changedAt?: number): void {
    this.generation += 1;
    const slot = keySlot(namespace, key);
    if (changedAt !== undefined)
      this.listChangedAt.set(slot, Math.max(changedAt, this.listChangedAt.get(slot) ?? 0));
    for (const page of this.pageSlots.get(slot) ?? []) this.pages.delete(page);
    this.pageSlots.delete(slot);
  }

  forgetKeys(changes: ReadonlyArray<{ namespace: string; keys: readonly string[] }>): void {
    for (const { namespace, keys } of changes)
      for (const key of keys) this.forgetKey(namespace, key);
  }

  /**
   * Versions were pruned, or what came from Redis can no longer be trusted; with `changedAt`
   * (a prune, a reload) no Redis page read before that log index is trusted either.
   */
  forgetAll(changedAt?: number): void {
    this.generation += 1;
    if (changedAt !== undefined && changedAt > this.redisFloor) {
      this.redisFloor = changedAt;
      this.listChangedAt.clear();
    }
    this.versions.clear();
    this.pages.clear();
    this.pageSlots.clear();
  }

  private pagesTrustedFrom(at: VersionAt): number {
    return Math.max(this.redisFloor, this.listChangedAt.get(keySlot(at.namespace, at.key)) ?? 0);
  }

  private async page<T>(at: VersionAt, slot: string, load: () => Promise<T>): Promise<T> {
    const local = this.pages.get(slot) as T | undefined;
    this.metrics.lookup('local', local !== undefined);
    if (local !== undefined) return local;
    const generation = this.generation;
    const loaded = (await this.pageFlights.run(`${slot}@${generation}`, load)) as T;
    // A change applied while it loaded may be missing from it: answered, not kept.
    if (generation === this.generation) {
      this.pages.set(slot, loaded, approximateBytes(loaded));
      const owner = keySlot(at.namespace, at.key);
      const slots = this.pageSlots.get(owner) ?? new Set<string>();
      if (slots.size >= MAX_PAGES_PER_KEY) slots.clear();
      this.pageSlots.set(owner, slots.add(slot));
    }
    return loaded;
  }

  private async loadVersion(at: VersionAt, version: number): Promise<StoredVersion | null> {
    const route = this.shards.route(at.namespace);
    if (!route || !isConnected(route.client)) return this.fromDatabase(at, version);
    const key = cacheKeys.version(at.namespace, at.key, version);
    const deadline = Date.now() + MISS_LOCK_TTL_MS;
    try {
      for (;;) {
        const cached = await this.fromRedis(route, key);
        if (cached) return cached;
        const lock = await MissLock.acquire(route.client, at.namespace, at.key);
        if (lock) {
          try {
            // Another owner may have filled it between our read and our lock.
            const filled = await this.fromRedis(route, key, false);
            if (filled) return filled;
            const found = await this.fromDatabase(at, version);
            if (found) await this.fill(route, at, found);
            return found;
          } finally {
            await lock.release().catch(() => undefined);
          }
        }
        if (Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      }
    } catch (error) {
      this.logger.debug(`redis skipped for a historical read: ${(error as Error).message}`);
    }
    return this.fromDatabase(at, version);
  }

  private async fromRedis(
    route: ShardRoute,
    key: string,
    count = true,
  ): Promise<StoredVersion | null> {
    const text = await this.metrics.timed('get', () => route.client.get(key));
    const parsed =
      text === null
        ? null
        : (JSON.parse(text) as {
            value: unknown;
            version: number;
            revision: number;
            created_at: string;
            log_index?: number;
          });
    const trusted = parsed !== null && (parsed.log_index ?? 0) >= this.redisFloor;
    if (count) this.metrics.lookup('redis', trusted);
    if (!trusted) return null;
    return {
      value: parsed.value,
      version: parsed.version,
      revision: parsed.revision,
      createdAt: parsed.created_at,
    };
  }

  private async fromDatabase(at: VersionAt, version: number): Promise<StoredVersion | null> {
    const row = await this.queries.findVersion(at.configId, version);
    if (!row) return null;
    return {
      value: JSON.parse(row.value) as unknown,
      version: row.version,
      revision: row.revision,
      createdAt: row.createdAt.toISOString(),
    };
  }

  private async fill(route: ShardRoute, at: VersionAt, found: StoredVersion): Promise<void> {
    const json = versionJson(JSON.stringify(found.value), found, at.readIndex);
    await this.metrics
      .timed('fill_version', () =>
        cacheScripts(route.client).ccFillVersion(
          [
            cacheKeys.epochFence(at.namespace),
            cacheKeys.version(at.namespace, at.key, found.version),
            cacheKeys.pruned(),
          ],
          [route.epoch, json, CACHE_TTL_SECONDS.version, at.readIndex],
        ),
      )
      .catch(() => undefined);
  }

  private async pageFromRedis(
    at: VersionAt,
    page: number,
    pageSize: number,
  ): Promise<VersionPage | null> {
    const route = this.shards.route(at.namespace);
    if (!route || !isConnected(route.client)) return null;
    try {
      const text = await this.metrics.timed('get', () =>
        route.client.hget(
          cacheKeys.versionPages(at.namespace, at.key),
          versionPageField(page, pageSize),
        ),
      );
      // Older than a change this node applied: the leader's reset of it is not done yet.
      const found = text === null ? null : parseVersionPage(text);
      const trusted = found !== null && found.readIndex >= this.pagesTrustedFrom(at);
      this.metrics.lookup('redis', trusted);
      return trusted ? found : null;
    } catch (error) {
      this.logger.debug(`redis skipped for a version page: ${(error as Error).message}`);
      return null;
    }
  }

  /**
   * Refused in Redis when the list changed after the read began (`since`), a prune came after
   * it, or the namespace moved: the database may have answered from before that.
   */
  private async fillPage(
    at: VersionAt,
    page: number,
    pageSize: number,
    rows: readonly VersionListRow[],
    total: number,
  ): Promise<void> {
    const route = this.shards.route(at.namespace);
    if (!route || !isConnected(route.client)) return;
    await this.metrics
      .timed('fill_version_page', () =>
        cacheScripts(route.client).ccFillVersionPage(
          [
            cacheKeys.epochFence(at.namespace),
            cacheKeys.versionPages(at.namespace, at.key),
            cacheKeys.pruned(),
          ],
          [
            route.epoch,
            at.readIndex,
            versionPageField(page, pageSize),
            versionPageJson(rows, total, at.readIndex),
            CACHE_TTL_SECONDS.versionPages,
          ],
        ),
      )
      .catch(() => undefined);
  }

  /** The spec's sorted set of versions, for readers outside the cluster, when Redis lacks it. */
  private async fillVersionList(at: VersionAt): Promise<void> {
    const route = this.shards.route(at.namespace);
    if (!route || !isConnected(route.client)) return;
    try {
      const key = cacheKeys.versionList(at.namespace, at.key);
      if ((await route.client.exists(key)) === 1) return;
      const times = await this.queries.versionTimes(at.configId);
      if (times.length === 0) return;
      const pairs = times.flatMap(({ version, at: time }) => [time, version]);
      await cacheScripts(route.client).ccFillVersionList(
        [cacheKeys.guard(at.namespace), cacheKeys.epochFence(at.namespace), key],
        [at.namespaceRevision, route.epoch, ...pairs],
      );
    } catch {
      // Redis away: the list is filled on a later read.
    }
  }
}

/** Rough bytes of a cached answer (for the memory bound; UTF-16 length is close enough). */
function approximateBytes(value: unknown): number {
  return JSON.stringify(value)?.length ?? 16;
}
