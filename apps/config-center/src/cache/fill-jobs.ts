import type { ChainableCommander } from 'ioredis';
import { CACHE_TTL_SECONDS, cacheKeys } from './cache-keys';
import { cacheScripts, queueScript } from './cache-scripts';
import { ShardRoute } from './redis-shards';

/** What the leader fills for one applied batch (cache-filler.ts). */
export interface KeyFill {
  key: string;
  /** '' for a deleted key. */
  json: string;
  version?: { number: number; json: string; score: number };
}

export interface NamespaceFill {
  namespace: string;
  /** The batch's index (a version is filled unless a later prune is known). */
  index: number;
  revision: number;
  /** The revision the hash shows if it took every earlier fill: else it is filled whole. */
  previous: number;
  keys: KeyFill[];
}

/** A namespace's fill, on `pipeline`: its latest keys and hash, then each new version. */
export function queueFill(
  pipeline: ChainableCommander,
  route: ShardRoute,
  job: NamespaceFill,
): void {
  const { namespace } = job;
  const fence = cacheKeys.epochFence(namespace);
  queueScript(
    pipeline,
    'ccFillChanges',
    [
      cacheKeys.guard(namespace),
      fence,
      cacheKeys.namespace(namespace),
      ...job.keys.map((fill) => cacheKeys.latest(namespace, fill.key)),
    ],
    [
      job.revision,
      route.epoch,
      job.previous,
      CACHE_TTL_SECONDS.latest,
      CACHE_TTL_SECONDS.namespace,
      CACHE_TTL_SECONDS.guard,
      ...job.keys.flatMap((fill) => [fill.key, fill.json]),
    ],
  );
  for (const fill of job.keys) {
    if (!fill.version) continue;
    queueScript(
      pipeline,
      'ccFillVersion',
      [fence, cacheKeys.version(namespace, fill.key, fill.version.number), cacheKeys.pruned()],
      [route.epoch, fill.version.json, CACHE_TTL_SECONDS.version, job.index],
    );
    queueScript(
      pipeline,
      'ccExtendVersionList',
      [fence, cacheKeys.versionList(namespace, fill.key)],
      [route.epoch, fill.version.score, fill.version.number],
    );
  }
}

/**
 * The version lists of `keys` changed at log index `index` (a write, a keep, a rollback): their
 * pages go, leaving `since` behind, so a page read before the change is refused (one reply).
 */
export function queueVersionPagesReset(
  pipeline: ChainableCommander,
  route: ShardRoute,
  namespace: string,
  keys: Iterable<string>,
  index: number,
): void {
  queueScript(
    pipeline,
    'ccResetVersionPages',
    [cacheKeys.epochFence(namespace), ...versionPagesKeys(namespace, keys)],
    [route.epoch, index, CACHE_TTL_SECONDS.versionPages],
  );
}

export function versionPagesKeys(namespace: string, keys: Iterable<string>): string[] {
  return [...keys].map((key) => cacheKeys.versionPages(namespace, key));
}

/** Chunk of keys one reset script takes (a repair or a prune resets a whole namespace). */
const RESET_CHUNK = 1000;

/** The version-list pages of these configs go, leaving `since` = `index` (a repair, a prune). */
export async function resetVersionPages(
  route: ShardRoute,
  namespace: string,
  configs: ReadonlyArray<{ key: string }>,
  index: number,
): Promise<void> {
  for (let i = 0; i < configs.length; i += RESET_CHUNK)
    await cacheScripts(route.client).ccResetVersionPages(
      [
        cacheKeys.epochFence(namespace),
        ...versionPagesKeys(
          namespace,
          configs.slice(i, i + RESET_CHUNK).map((config) => config.key),
        ),
      ],
      [route.epoch, index, CACHE_TTL_SECONDS.versionPages],
    );
}
