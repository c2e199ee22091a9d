import { SettingsRegistry } from '../../settings/settings-registry';
import { StateView } from '../../state/state-view';
import { RoutesSource } from './routed-redis-shards';

/**
 * `_system/cache_routes` from the applied view. The epoch is the revision of the entry that
 * wrote the value (0 before the bootstrap wrote it): every node applies the same log, so every
 * node sees the same epoch for the same table, and a later change always has a higher one.
 */
export function cacheRoutesSource(registry: SettingsRegistry, view: StateView): RoutesSource {
  return {
    current: () => ({
      settings: registry.get('cache_routes'),
      epoch: registry.record('cache_routes')?.revision ?? 0,
    }),
    onChange: (listener) => registry.onChange('cache_routes', () => listener()),
    namespaces: () => view.namespaces().map((namespace) => namespace.name),
    keysOf: (name) => {
      const namespace = view.namespaceByName(name);
      return namespace ? view.configsOf(namespace.id).map((config) => config.key) : [];
    },
  };
}
