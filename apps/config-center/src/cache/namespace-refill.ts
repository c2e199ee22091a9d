import { randomUUID } from 'node:crypto';
import { CacheMetrics } from '../observability/cache-metrics';
import { ConfigRecord } from '../state/records';
import { CACHE_TTL_SECONDS, cacheKeys } from './cache-keys';
import { cacheScripts } from './cache-scripts';
import { latestJson } from './cache-values';
import { ShardRoute } from './redis-shards';

/**
 * What one script of a whole-namespace fill carries at most. Redis runs a script alone, and our
 * commands time out after 1 s: a namespace of a hundred thousand keys, or of large values, in
 * one script would hold Redis for seconds, time out, and be sent again by every repair.
 */
export const REFILL_PART_KEYS = 1000;
export const REFILL_PART_BYTES = 2 * 1024 * 1024;
/** A refill in parts has this long to finish before its staging hash expires. */
const STAGING_TTL_SECONDS = 300;

/** Field and JSON ('' for a deleted key) of each config, in parts within the bounds above. */
export function refillParts(configs: readonly ConfigRecord[]): Array<Array<[string, string]>> {
  const parts: Array<Array<[string, string]>> = [];
  let part: Array<[string, string]> = [];
  let bytes = 0;
  for (const config of configs) {
    const entry: [string, string] = [config.key, config.deleted ? '' : latestJson(config)];
    const size = entry[0].length + entry[1].length;
    if (part.length > 0 && (part.length >= REFILL_PART_KEYS || bytes + size > REFILL_PART_BYTES)) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(entry);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/**
 * A namespace's latest keys and hash, whole, at `revision` (DESIGN 18). One script when it fits
 * in one part; else the latest keys part by part (each refused once Redis shows a later
 * revision) and the hash built aside, put in place with the guard by one last script. A refill
 * overtaken by a later one, or fenced by a move, stops without a trace and answers false; one
 * whose staging hash expired throws (the caller marks the namespace for repair).
 */
export async function refillNamespace(
  route: ShardRoute,
  namespace: string,
  revision: number,
  configs: readonly ConfigRecord[],
  metrics: CacheMetrics,
): Promise<boolean> {
  const scripts = cacheScripts(route.client);
  const parts = refillParts(configs);
  const guards = [cacheKeys.guard(namespace), cacheKeys.epochFence(namespace)];
  const ttls = CACHE_TTL_SECONDS;
  const keysOf = (part: Array<[string, string]>) => [
    ...part.map(([key]) => cacheKeys.latest(namespace, key)),
    ...part.map(([key]) => cacheKeys.versionList(namespace, key)),
  ];
  if (parts.length <= 1) {
    const part = parts[0] ?? [];
    const result = await metrics.timed('fill_namespace', () =>
      scripts.ccFillNamespace(
        [...guards, cacheKeys.namespace(namespace), ...keysOf(part)],
        [revision, route.epoch, ttls.latest, ttls.namespace, ttls.guard, ...part.flat()],
      ),
    );
    return result === 1;
  }
  const staging = cacheKeys.refillStaging(namespace, randomUUID());
  try {
    let live = 0;
    for (const part of parts) {
      const result = await metrics.timed('fill_namespace_part', () =>
        scripts.ccFillNamespacePart(
          [...guards, staging, ...keysOf(part)],
          [revision, route.epoch, ttls.latest, STAGING_TTL_SECONDS, ...part.flat()],
        ),
      );
      if (result !== 1) return false;
      live += part.filter(([, json]) => json !== '').length;
    }
    const committed = await metrics.timed('fill_namespace_commit', () =>
      scripts.ccCommitNamespace(
        [...guards, staging, cacheKeys.namespace(namespace)],
        [revision, route.epoch, ttls.namespace, ttls.guard, live],
      ),
    );
    if (committed === 3)
      throw new Error(`the refill of ${namespace} in ${parts.length} parts took too long`);
    return committed === 1;
  } finally {
    await route.client.del(staging).catch(() => undefined);
  }
}
