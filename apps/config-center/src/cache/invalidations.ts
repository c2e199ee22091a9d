import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { INVALIDATION_CHANNEL } from './cache-keys';
import { CacheFiller } from './cache-filler';
import { CachedVersionReads } from './cached-version-reads';
import { RedisShards } from './redis-shards';

/** What the filling node publishes after each batch it filled. */
export interface InvalidationMessage {
  changes: Array<{ namespace: string; keys: string[]; revision: number }>;
  /** Every fill up to this index is done. */
  through: number;
}

const RESUBSCRIBE_CHECK_MS = 1000;

/**
 * Every node listens on each shard's invalidation channel (a connection of its own: a subscriber
 * cannot run commands). What a node keeps from Redis is historical versions, which never change,
 * so a message mostly tells a follower that its write is filled; a node drops its version pages
 * of the keys named anyway. After a lost connection (pub/sub loses messages) it drops everything
 * it took from Redis: a reconcile by revision, never a FLUSHDB.
 */
@Injectable()
export class InvalidationListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Cache');
  /**
   * Shard client -> this node's subscriber on it. The routed shards keep one client per node
   * name and url: a node removed, or whose url changed, has another client (or none).
   */
  private readonly subscribers = new Map<Redis, Redis>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shards: RedisShards,
    private readonly filler: CacheFiller,
    private readonly reads: CachedVersionReads,
  ) {}

  onModuleInit(): void {
    this.followShards();
    // The shard router may add, remove or re-point nodes at run time.
    this.timer = setInterval(() => this.followShards(), RESUBSCRIBE_CHECK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    for (const subscriber of this.subscribers.values()) subscriber.disconnect();
    this.subscribers.clear();
  }

  private followShards(): void {
    const shards = this.shards.all();
    const current = new Set(shards.map((shard) => shard.client));
    for (const [client, subscriber] of this.subscribers)
      if (!current.has(client)) {
        subscriber.disconnect();
        this.subscribers.delete(client);
      }
    for (const shard of shards) {
      if (this.subscribers.has(shard.client)) continue;
      const subscriber = shard.client.duplicate();
      subscriber.on('error', () => undefined);
      let connectedBefore = false;
      subscriber.on('ready', () => {
        if (connectedBefore) this.reads.forgetAll();
        connectedBefore = true;
        subscriber.subscribe(INVALIDATION_CHANNEL).catch((error: Error) => {
          this.logger.warn(`no invalidations from ${shard.node}: ${error.message}`);
        });
      });
      subscriber.on('message', (_channel: string, text: string) => this.received(text));
      this.subscribers.set(shard.client, subscriber);
    }
  }

  private received(text: string): void {
    let message: InvalidationMessage;
    try {
      message = JSON.parse(text) as InvalidationMessage;
    } catch {
      return;
    }
    this.reads.forgetKeys(message.changes);
    this.filler.settlement.settle(message.through);
  }
}
