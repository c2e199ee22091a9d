import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { cacheKeys } from './cache-keys';
import { cacheScripts } from './cache-scripts';

/** The spec's miss lock lives this long unless its owner releases it (spec 3.4.2). */
export const MISS_LOCK_TTL_MS = 5000;

/**
 * `lock:config:{ns}:{key}`: SET NX PX 5000 with a token of our own; released only if it still
 * holds that token (a lock that expired and was taken by another node is not ours to delete).
 */
export class MissLock {
  private readonly token = randomUUID();

  private constructor(
    private readonly client: Redis,
    private readonly key: string,
  ) {}

  /** The lock, or null when another owner holds it. Throws when Redis does not answer. */
  static async acquire(client: Redis, namespace: string, key: string): Promise<MissLock | null> {
    const lock = new MissLock(client, cacheKeys.lock(namespace, key));
    const taken = await client.set(lock.key, lock.token, 'PX', MISS_LOCK_TTL_MS, 'NX');
    return taken === 'OK' ? lock : null;
  }

  async release(): Promise<boolean> {
    const released = await cacheScripts(this.client).ccReleaseLock([this.key], [this.token]);
    return released === 1;
  }
}
