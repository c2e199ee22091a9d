import { ConfigRecord } from '../state/records';
import { cacheKeys } from './cache-keys';
import { resetVersionPages } from './fill-jobs';
import { ShardRoute } from './redis-shards';

const DELETE_CHUNK = 1000;

/**
 * Which historical versions a prune already deleted from Redis, per config: the next prune
 * deletes only the versions above that floor. A version kept at a prune may be read back into
 * Redis; once let go, the next prune must delete it again, so a floor set before the last keep
 * change of its config (or before a reload of the view, which counts for every config) no
 * longer counts.
 */
export class PruneFloors {
  /** Config id -> versions up to `through` were deleted from Redis by the prune at `index`. */
  private readonly floors = new Map<number, { through: number; index: number }>();
  /** Config id -> the last entry that kept or let go one of its versions. */
  private readonly keptChangedAt = new Map<number, number>();
  private reloadedAt = 0;

  /** Versions up to this one are gone from Redis (0: assume none is). */
  floor(configId: number): number {
    const floor = this.floors.get(configId);
    const changedAt = Math.max(this.reloadedAt, this.keptChangedAt.get(configId) ?? 0);
    return floor && floor.index > changedAt ? floor.through : 0;
  }

  deleted(configId: number, through: number, index: number): void {
    this.floors.set(configId, { through, index });
  }

  keptChanged(configId: number, index: number): void {
    this.keptChangedAt.set(configId, index);
  }

  reloaded(index: number): void {
    this.reloadedAt = index;
  }
}

/**
 * The prune at `index` in one namespace, on its shard: the versions it may have removed (all but
 * each key's latest `keepLatest`, above what an earlier prune deleted), the spec's version lists
 * and the version-list pages leave Redis; reads refill them from the database.
 */
export async function deletePruned(
  route: ShardRoute,
  namespace: string,
  configs: readonly ConfigRecord[],
  prune: { index: number; keepLatest: number },
  floors: PruneFloors,
): Promise<void> {
  const keys = versionListKeys(namespace, configs);
  const deletedThrough: Array<[number, number]> = [];
  for (const config of configs) {
    const through = config.version - prune.keepLatest;
    const from = floors.floor(config.id);
    for (let version = from + 1; version <= through; version++)
      keys.push(cacheKeys.version(namespace, config.key, version));
    if (through > from) deletedThrough.push([config.id, through]);
  }
  await deleteKeys(route, keys);
  await resetVersionPages(route, namespace, configs, prune.index);
  for (const [configId, through] of deletedThrough) floors.deleted(configId, through, prune.index);
}

export function versionListKeys(namespace: string, configs: readonly ConfigRecord[]): string[] {
  return configs.map((config) => cacheKeys.versionList(namespace, config.key));
}

export async function deleteKeys(route: ShardRoute, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_CHUNK)
    await route.client.del(...keys.slice(i, i + DELETE_CHUNK));
}
