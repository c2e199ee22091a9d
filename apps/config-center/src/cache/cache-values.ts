import { isoTime } from '../common/validation';
import { ConfigRecord } from '../state/records';
import { CACHE_TTL_SECONDS } from './cache-keys';

/**
 * Values as spec 3.4.1 shapes them, plus the revision. `valueText` is the stored JSON of the
 * value, spliced in as it is: a 1 MiB value is not parsed and serialized again to be cached.
 */
export function latestJson(config: ConfigRecord): string {
  return (
    `{"value":${config.valueText},"version":${config.version},` +
    `"updated_at":${JSON.stringify(isoTime(config.updatedAt))},` +
    `"ttl":${CACHE_TTL_SECONDS.latest},"revision":${config.revision}}`
  );
}

/**
 * A historical version: `{value, version, created_at, revision, log_index}`. `log_index` is the
 * log index the value was read at: a node does not trust it from before a prune it applied
 * (cached-version-reads.ts), since the leader's deletes of pruned versions may still be on their
 * way, or lost with Redis.
 */
export function versionJson(
  valueText: string,
  version: { version: number; revision: number; createdAt: string },
  logIndex: number,
): string {
  return (
    `{"value":${valueText},"version":${version.version},` +
    `"created_at":${JSON.stringify(version.createdAt)},"revision":${version.revision},` +
    `"log_index":${logIndex}}`
  );
}
