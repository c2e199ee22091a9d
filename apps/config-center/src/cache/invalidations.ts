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

const RESUBSCRIBE_CHECK_MS = 5000;

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
  private readonly subscribers = new Map<string, Redis>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shards: RedisShards,
    private readonly filler: CacheFiller,
    private readonly reads: CachedVersionReads,
  ) {}

  onModuleInit(): void {
    this.subscribeNewShards();
    // The shard router may add nodes at run time.
    this.timer = setInterval(() => this.subscribeNewShards(), RESUBSCRIBE_CHECK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    for (const subscriber of this.subscribers.values()) subscriber.disconnect();
    this.subscribers.clear();
  }

  private subscribeNewShards(): void {
    for (const shard of this.shards.all()) {
      if (this.subscribers.has(shard.node)) continue;
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
      this.subscribers.set(shard.node, subscriber);
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
