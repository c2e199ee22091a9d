import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { CacheMetrics } from '../observability/cache-metrics';
import { AppliedBatch, CommandLog } from '../state/command-log';
import { StateService } from '../state/state.service';
import { SYSTEM_NAMESPACE } from '../state/system-namespace';
import { appliedChanges, changedVersionLists } from './applied-changes';
import { cacheKeys, INVALIDATION_CHANNEL } from './cache-keys';
import { cacheScripts } from './cache-scripts';
import { latestJson, versionJson } from './cache-values';
import { CachedVersionReads } from './cached-version-reads';
import { InvalidationMessage } from './invalidations';
import { FillSettlement } from './fill-settlement';
import {
  KeyFill,
  NamespaceFill,
  queueFill,
  queueVersionPagesReset,
  resetVersionPages,
} from './fill-jobs';
import { isConnected } from './redis-client';
import { refillNamespace } from './namespace-refill';
import { deleteKeys, deletePruned, PruneFloors, versionListKeys } from './prune-floors';
import { RedisShards, ShardRoute } from './redis-shards';

/** A write's acknowledgement waits this long for its fill, then goes on (issue 14 item 1). */
export const FILL_WAIT_MS = 100;
/** How often the leader retries namespaces whose fill failed, and compares every namespace. */
const REPAIR_INTERVAL_MS = 1000;
const RECONCILE_INTERVAL_MS = 10_000;
/** Namespaces whose guards one MGET reads. */
const RECONCILE_CHUNK = 1000;

/**
 * Fills Redis on apply (DESIGN 22): the node that leads writes the spec's keys for each batch,
 * revision-guarded and epoch-fenced in Lua, then publishes an invalidation. A fill that fails
 * (Redis away) leaves its namespace dirty; the leader repairs dirty namespaces, and every
 * namespace whose guard in Redis is behind its revision, when Redis is back: a write made while
 * Redis was away never leaves an old value there. Every node forgets its list pages on apply.
 */
@Injectable()
export class CacheFiller implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Cache');
  /** Namespace -> the revision this node last saw applied (the hash shows it if filled). */
  private readonly seenRevision = new Map<string, number>();
  /**
   * Namespace -> the number of the mark that made it dirty. A whole refill clears marks made
   * before it read the namespace, so the repair does not refill it once more (and drop the
   * version lists that reads put back meanwhile).
   */
  private readonly dirty = new Map<string, number>();
  private marks = 0;
  private readonly pruneFloors = new PruneFloors();
  /** Namespace -> a prune whose deletes failed there (Redis away): the repair does them. */
  private readonly prunesToRepair = new Map<string, { index: number; keepLatest: number }>();
  private readonly watchedClients = new WeakSet<Redis>();
  private fills: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  readonly settlement = new FillSettlement();

  constructor(
    private readonly log: CommandLog,
    private readonly state: StateService,
    private readonly shards: RedisShards,
    private readonly reads: CachedVersionReads,
    private readonly metrics: CacheMetrics,
  ) {}

  onModuleInit(): void {
    this.log.onApplied((batch) => this.applied(batch));
    // No early return without shards: `_system/cache_routes` may add the first one later.
    this.state.addVisibilityBarrier((index) =>
      this.anyShardConnected() ? this.settlement.until(index, FILL_WAIT_MS) : Promise.resolve(),
    );
    this.reconcileOnReconnect();
    // The state loaded at start (its load event may have come before this listener): no version
    // page in Redis read before it is trusted, the changes before it are not tracked here.
    this.reads.forgetAll(this.state.reader.appliedIndex);
    // A reload (snapshot install, resume after the database came back) skips onApplied for the
    // entries it covers: no page can be trusted to have seen their changes.
    this.state.appliedView.onChange((event) => {
      if (event.kind !== 'load') return;
      this.reads.forgetAll(event.appliedIndex);
      this.pruneFloors.reloaded(event.appliedIndex);
    });
    this.shards.onMove(() => {
      this.reads.forgetAll();
      void this.reconcile(null);
    });
    this.timers = [
      setInterval(() => {
        this.reconcileOnReconnect();
        void this.repairDirty();
      }, REPAIR_INTERVAL_MS),
      setInterval(() => void this.reconcile(null), RECONCILE_INTERVAL_MS),
    ];
    for (const timer of this.timers) timer.unref();
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  /**
   * Compares each namespace's guard in Redis with its revision here and fills those behind, on
   * `node` (null: every shard). Only the leading node fills; never a FLUSHDB. Past `deadline`
   * (ms since the epoch) it stops between two namespaces.
   */
  async reconcile(
    node: string | null,
    only?: readonly string[],
    deadline = Infinity,
  ): Promise<number> {
    if (!this.log.leads()) return 0;
    const reader = this.state.reader;
    const names = only ?? reader.namespaces().map((namespace) => namespace.name);
    const byShard = new Map<ShardRoute, string[]>();
    for (const name of names) {
      if (name === SYSTEM_NAMESPACE) continue;
      const route = this.shards.route(name);
      if (!route || (node !== null && route.node !== node) || !isConnected(route.client)) continue;
      const namespaces = byShard.get(route) ?? [];
      namespaces.push(name);
      byShard.set(route, namespaces);
    }
    let filled = 0;
    for (const [route, namespaces] of byShard) {
      try {
        for (let start = 0; start < namespaces.length; start += RECONCILE_CHUNK) {
          const chunk = namespaces.slice(start, start + RECONCILE_CHUNK);
          const guards = await route.client.mget(...chunk.map((name) => cacheKeys.guard(name)));
          for (const [i, name] of chunk.entries()) {
            if (Date.now() > deadline) return filled;
            const namespace = reader.namespaceByName(name);
            if (!namespace || Number(guards[i] ?? 0) >= namespace.revision) continue;
            await this.fillNamespace(route, name);
            filled += 1;
          }
        }
      } catch (error) {
        this.logger.warn(`cache reconcile on ${route.node} stopped: ${(error as Error).message}`);
      }
    }
    return filled;
  }

  private applied(batch: AppliedBatch): void {
    const changes = appliedChanges(batch);
    const reader = this.state.reader;
    for (const [namespace, keys] of [...changes.configs, ...changes.versionLists])
      for (const key of keys) this.reads.forgetKey(namespace, key, batch.appliedIndex);
    if (changes.prunes.length > 0) this.reads.forgetAll(batch.appliedIndex);
    for (const [namespaceName, keys] of changes.versionLists) {
      const namespace = reader.namespaceByName(namespaceName);
      for (const key of keys) {
        const config = namespace && reader.config(namespace.id, key);
        if (config) this.pruneFloors.keptChanged(config.id, batch.appliedIndex);
      }
    }
    const leads = this.log.leads() && this.shards.all().length > 0;
    const jobs: NamespaceFill[] = [];
    for (const [namespaceName, keys] of changes.configs) {
      const namespace = reader.namespaceByName(namespaceName);
      if (!namespace || namespaceName === SYSTEM_NAMESPACE) continue;
      const previous = this.seenRevision.get(namespaceName) ?? -1;
      this.seenRevision.set(namespaceName, namespace.revision);
      if (!leads) continue;
      const fills: KeyFill[] = [];
      for (const key of keys) {
        const config = reader.config(namespace.id, key);
        if (!config) continue;
        if (config.deleted) {
          fills.push({ key, json: '' });
          continue;
        }
        const createdAt = new Date(config.updatedAt).toISOString();
        fills.push({
          key,
          json: latestJson(config),
          version: {
            number: config.version,
            json: versionJson(config.valueText, { ...config, createdAt }, batch.appliedIndex),
            score: config.updatedAt,
          },
        });
      }
      jobs.push({
        namespace: namespaceName,
        index: batch.appliedIndex,
        revision: namespace.revision,
        previous,
        keys: fills,
      });
    }
    this.settlement.applied(batch.appliedIndex, changes.filledIndexes);
    if (!leads) return;
    const prunes = changes.prunes;
    const pageResets = changedVersionLists(changes);
    // Each link catches its own failure: a rejected chain would skip every later fill for good.
    this.fills = this.fills
      .then(async () => {
        await this.fillAll(jobs, pageResets, batch.appliedIndex);
        for (const prune of prunes) await this.forgetPruned(prune.index, prune.keepLatest);
        await this.publish(jobs, batch.appliedIndex);
      })
      .catch((error: Error) => {
        for (const job of jobs) this.mark(job.namespace);
        for (const namespace of pageResets.keys()) this.mark(namespace);
        this.logger.warn(`cache fill of batch ${batch.appliedIndex} failed: ${error.message}`);
      })
      .finally(() => this.settlement.settle(batch.appliedIndex));
  }

  /**
   * One pipeline per shard for the whole batch (one round trip): each namespace's changes, then
   * its new versions, then the version-list pages of every key whose list changed at `index`. A
   * namespace whose hash cannot take the increment is then filled whole.
   */
  private async fillAll(
    jobs: NamespaceFill[],
    pageResets: Map<string, Set<string>>,
    index: number,
  ): Promise<void> {
    const byShard = new Map<ShardRoute, { jobs: NamespaceFill[]; resets: string[] }>();
    const shardOf = (namespace: string) => {
      const route = this.shards.route(namespace);
      if (!route) return undefined;
      const work = byShard.get(route) ?? { jobs: [], resets: [] };
      byShard.set(route, work);
      return work;
    };
    for (const job of jobs) shardOf(job.namespace)?.jobs.push(job);
    for (const namespace of pageResets.keys()) shardOf(namespace)?.resets.push(namespace);
    for (const [route, { jobs: shardJobs, resets }] of byShard) {
      cacheScripts(route.client);
      const pipeline = route.client.pipeline();
      for (const job of shardJobs) queueFill(pipeline, route, job);
      for (const namespace of resets)
        queueVersionPagesReset(pipeline, route, namespace, pageResets.get(namespace)!, index);
      try {
        const replies = (await this.metrics.timed('fill', () => pipeline.exec())) ?? [];
        let reply = 0;
        for (const job of shardJobs) {
          const count = 1 + 2 * job.keys.filter((fill) => fill.version).length;
          const own = replies.slice(reply, reply + count);
          reply += count;
          // Any failed reply counts: a version list that missed its version must be repaired.
          const error =
            own.length < count ? new Error('no reply') : own.find(([failed]) => failed)?.[0];
          if (error) {
            this.markDirty(job.namespace, error);
            continue;
          }
          if (own[0][1] === 2) await this.fillNamespace(route, job.namespace);
          this.dirty.delete(job.namespace);
        }
        // A page reset that failed leaves old pages: the repair resets the whole namespace.
        for (const [i, namespace] of resets.entries()) {
          const [error] = replies[reply + i] ?? [new Error('no reply')];
          if (error) this.markDirty(namespace, error);
        }
      } catch (error) {
        for (const job of shardJobs) this.markDirty(job.namespace, error as Error);
        for (const namespace of resets) this.markDirty(namespace, error as Error);
      }
    }
  }

  private markDirty(namespace: string, error: Error): void {
    if (!this.dirty.has(namespace))
      this.logger.warn(`cache fill of ${namespace} failed: ${error.message}`);
    this.mark(namespace);
  }

  private mark(namespace: string): void {
    this.dirty.set(namespace, ++this.marks);
  }

  /**
   * One invalidation per shard and batch: every node drops what it holds of these keys, and a
   * write acknowledged on a follower waits for it (`through`: every fill up to it is done).
   */
  private async publish(jobs: NamespaceFill[], through: number): Promise<void> {
    const byShard = new Map<ShardRoute, InvalidationMessage['changes']>();
    for (const job of jobs) {
      const route = this.shards.route(job.namespace);
      if (!route) continue;
      const changes = byShard.get(route) ?? [];
      changes.push({
        namespace: job.namespace,
        keys: job.keys.map((fill) => fill.key),
        revision: job.revision,
      });
      byShard.set(route, changes);
    }
    for (const [route, changes] of byShard) {
      const message: InvalidationMessage = { changes, through };
      await route.client.publish(INVALIDATION_CHANNEL, JSON.stringify(message)).catch(() => 0);
    }
  }

  /**
   * The whole namespace as the view shows it now (its latest keys, deleted ones too, and hash);
   * its version-list pages go, refusing any page read before this node's applied index (a repair:
   * a reset of them may have been missed).
   */
  /** True when Redis took it whole (not when it shows this revision or a later one already). */
  private async fillNamespace(route: ShardRoute, name: string): Promise<boolean> {
    const namespace = this.state.reader.namespaceByName(name);
    if (!namespace) return false;
    const marksBefore = this.marks;
    const configs = this.state.appliedView.configsOf(namespace.id);
    const appliedIndex = this.state.reader.appliedIndex;
    const refilled = await refillNamespace(route, name, namespace.revision, configs, this.metrics);
    await resetVersionPages(route, name, configs, appliedIndex);
    if (refilled && (this.dirty.get(name) ?? Infinity) <= marksBefore) this.dirty.delete(name);
    return refilled;
  }

  /**
   * Fills each dirty namespace whole, which drops its version lists. The lists go here as well,
   * for a fill whose guard went through while a list's extension failed; and a prune that failed
   * there is done again.
   */
  private async repairDirty(): Promise<void> {
    if ((this.dirty.size === 0 && this.prunesToRepair.size === 0) || !this.log.leads()) return;
    const refill = new Set(this.dirty.keys());
    this.dirty.clear();
    for (const name of new Set([...refill, ...this.prunesToRepair.keys()])) {
      const route = this.shards.route(name);
      const namespace = this.state.reader.namespaceByName(name);
      if (!route || !namespace) continue;
      try {
        const refilled = refill.has(name) && (await this.fillNamespace(route, name));
        const prune = this.prunesToRepair.get(name);
        const configs = this.state.appliedView.configsOf(namespace.id);
        if (prune) {
          await cacheScripts(route.client).ccRaise([cacheKeys.pruned()], [prune.index]);
          await deletePruned(route, name, configs, prune, this.pruneFloors);
        } else if (refill.has(name) && !refilled)
          await deleteKeys(route, versionListKeys(name, configs));
        this.prunesToRepair.delete(name);
      } catch {
        this.mark(name);
      }
    }
  }

  /**
   * After a prune: `cc:pruned` first (a fill read before it is refused from now on), then every
   * version that may have gone and the spec's version lists leave Redis; reads refill them from
   * the database. Candidates are all but each key's latest `keepLatest` (kept ones come back).
   */
  private async forgetPruned(index: number, keepLatest: number): Promise<void> {
    const reader = this.state.reader;
    for (const shard of this.shards.all())
      await cacheScripts(shard.client)
        .ccRaise([cacheKeys.pruned()], [index])
        .catch(() => undefined);
    for (const namespace of reader.namespaces()) {
      const route = this.shards.route(namespace.name);
      if (!route || namespace.name === SYSTEM_NAMESPACE) continue;
      try {
        await deletePruned(
          route,
          namespace.name,
          this.state.appliedView.configsOf(namespace.id),
          { index, keepLatest },
          this.pruneFloors,
        );
      } catch {
        // The repair does it again: the most recent prune, the fewest versions kept.
        const earlier = this.prunesToRepair.get(namespace.name);
        this.prunesToRepair.set(namespace.name, {
          index: Math.max(index, earlier?.index ?? 0),
          keepLatest: Math.min(keepLatest, earlier?.keepLatest ?? keepLatest),
        });
        this.mark(namespace.name);
      }
    }
  }

  /** Each shard client, also one `cache_routes` added at run time, reconciles on reconnect. */
  private reconcileOnReconnect(): void {
    for (const shard of this.shards.all()) {
      if (this.watchedClients.has(shard.client)) continue;
      this.watchedClients.add(shard.client);
      shard.client.on('ready', () => void this.reconcile(shard.node));
    }
  }

  private anyShardConnected(): boolean {
    return this.shards.all().some((shard) => isConnected(shard.client));
  }
}
