import { cacheKeys } from '../cache-keys';
import { mutableKeysOf, namespaceOfCacheKey } from './shard-keys';

describe('shard keys', () => {
  it('reads back the namespace of every key cache-keys.ts builds, names with % and : too', () => {
    for (const name of ['app', 'a:b', '100%', '%3A', 'versions', 'é*'])
      for (const key of [
        cacheKeys.latest(name, 'k:%3a'),
        cacheKeys.version(name, 'k', 3),
        cacheKeys.versionList(name, 'k'),
        cacheKeys.namespace(name),
        cacheKeys.guard(name),
        cacheKeys.versionPages(name, 'k:%3a'),
        cacheKeys.refillStaging(name, 'a:b'),
      ])
        expect(namespaceOfCacheKey(key)).toBe(name);
  });

  it('reads the namespace of each spec key shape, even for namespaces named like the schema', () => {
    expect(namespaceOfCacheKey('config:app:db%3Ahost')).toBe('app');
    expect(namespaceOfCacheKey('config:version:app:db:3')).toBe('app');
    expect(namespaceOfCacheKey('config:versions:app:db')).toBe('app');
    expect(namespaceOfCacheKey('namespace:configs:app')).toBe('app');
    // `versions` and `version` are namespaces too: their latest-value keys have three parts.
    expect(namespaceOfCacheKey('config:versions:db')).toBe('versions');
    expect(namespaceOfCacheKey('config:version:db')).toBe('version');
    expect(namespaceOfCacheKey('config:version:version:db:1')).toBe('version');
  });

  it('keeps the cache’s revision guard with its keys; ignores fences, locks and keys that are not the spec’s', () => {
    expect(namespaceOfCacheKey('cc:epoch:app')).toBeUndefined();
    expect(namespaceOfCacheKey('cc:rev:app')).toBe('app');
    expect(namespaceOfCacheKey('cc:vpages:app:db')).toBe('app');
    expect(namespaceOfCacheKey('cc:vpages:app')).toBeUndefined();
    expect(namespaceOfCacheKey('lock:config:app:db')).toBeUndefined();
    expect(namespaceOfCacheKey('config:app')).toBeUndefined();
    expect(namespaceOfCacheKey('session:42')).toBeUndefined();
  });

  it('lists the mutable keys of a namespace with encoded names, each one read back as its own', () => {
    const keys = mutableKeysOf('app', ['db:host']);
    expect(keys).toEqual([
      'cc:rev:app',
      'namespace:configs:app',
      'config:app:db%3Ahost',
      'config:versions:app:db%3Ahost',
      'cc:vpages:app:db%3Ahost',
    ]);
    expect(keys.map(namespaceOfCacheKey)).toEqual(['app', 'app', 'app', 'app', 'app']);
  });
});
