/**
 * The spec's Redis key schema (spec 001 3.4.1; issue 14 item 1). Names go into keys as they are,
 * Unicode included, except `%` and `:`, which are percent-encoded: a key may contain `:` and a
 * namespace may be called `versions`, and neither may make two names share a Redis key (DESIGN 25).
 */
export function encodeKeyPart(name: string): string {
  return name.replace(/[%:]/g, (character) => (character === '%' ? '%25' : '%3A'));
}

export function decodeKeyPart(encoded: string): string {
  return encoded.replace(/%(25|3A)/g, (escape) => (escape === '%25' ? '%' : ':'));
}

/** Seconds each key lives (spec 3.4.1); `config:{ns}:{key}` is renewed while the key is hot. */
export const CACHE_TTL_SECONDS = {
  latest: 3600,
  version: 24 * 3600,
  namespace: 3600,
  /** Our pages of a key's version list (rows with `kept` and `created_by`, which the spec's set lacks). */
  versionPages: 3600,
  /** Our own revision guard outlives every spec key it guards. */
  guard: 48 * 3600,
} as const;

export const cacheKeys = {
  /** The latest value: `{value, version, updated_at, revision}`. */
  latest: (namespace: string, key: string) =>
    `config:${encodeKeyPart(namespace)}:${encodeKeyPart(key)}`,
  /** One historical version, same value shape. */
  version: (namespace: string, key: string, version: number) =>
    `config:version:${encodeKeyPart(namespace)}:${encodeKeyPart(key)}:${version}`,
  /** Hash: field = key, value = the latest value's JSON. */
  namespace: (namespace: string) => `namespace:configs:${encodeKeyPart(namespace)}`,
  /** Sorted set: member = version number, score = the version's timestamp (ms). */
  versionList: (namespace: string, key: string) =>
    `config:versions:${encodeKeyPart(namespace)}:${encodeKeyPart(key)}`,
  /** The spec's miss lock: SET NX PX 5000, released by its owner's token only. */
  lock: (namespace: string, key: string) =>
    `lock:config:${encodeKeyPart(namespace)}:${encodeKeyPart(key)}`,
  /**
   * Ours: the namespace revision the latest keys and the hash of `namespace` show. A fill with a
   * lower revision is refused, so a slow or old leader never puts an old value back (DESIGN 18).
   */
  guard: (namespace: string) => `cc:rev:${encodeKeyPart(namespace)}`,
  /**
   * Ours: the log index of the last prune of old versions. A historical version read from the
   * database before it may no longer exist: its fill is refused (cache-aside, DESIGN 18).
   */
  pruned: () => 'cc:pruned',
  /**
   * Ours: hash of a key's version-list pages, field `{page}:{size}` -> `{rows, total}`, plus field
   * `since`, the log index of the last change to the list: a page read before it is refused.
   */
  versionPages: (namespace: string, key: string) =>
    `cc:vpages:${encodeKeyPart(namespace)}:${encodeKeyPart(key)}`,
  /** Ours: the namespace hash being rebuilt by one refill in parts (namespace-refill.ts). */
  refillStaging: (namespace: string, refill: string) =>
    `cc:refill:${encodeKeyPart(namespace)}:${encodeKeyPart(refill)}`,
  /** The routing fence the shard router sets on a move (redis-shards.ts). */
  epochFence: (namespace: string) => `cc:epoch:${encodeKeyPart(namespace)}`,
} as const;

/** The pub/sub channel on every shard: `{namespace, keys, revision}` of each fill. */
export const INVALIDATION_CHANNEL = 'cc:invalidate';

/** The value shape of spec 3.4.1, plus the revision. */
export interface CachedValue {
  value: unknown;
  version: number;
  updated_at: string;
  revision: number;
}
