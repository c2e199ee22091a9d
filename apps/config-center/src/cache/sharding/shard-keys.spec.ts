import { encodeKeyPart, fenceKey, mutableKeysOf, namespaceOfCacheKey } from './shard-keys';

describe('shard keys', () => {
  it('percent-encodes % and : in a name, and nothing else', () => {
    expect(encodeKeyPart('a:b%c/é*')).toBe('a%3Ab%25c/é*');
    expect(fenceKey('app')).toBe('cc:epoch:app');
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
    ]);
    expect(keys.map(namespaceOfCacheKey)).toEqual(['app', 'app', 'app', 'app']);
  });
});
