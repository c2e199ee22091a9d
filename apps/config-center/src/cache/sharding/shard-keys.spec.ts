import { encodeKeyPart, fenceKey, namespaceOfSpecKey } from './shard-keys';

describe('shard keys', () => {
  it('percent-encodes % and : in a name, and nothing else', () => {
    expect(encodeKeyPart('a:b%c/é*')).toBe('a%3Ab%25c/é*');
    expect(fenceKey('app')).toBe('cc:epoch:app');
  });

  it('reads the namespace of each spec key shape, even for namespaces named like the schema', () => {
    expect(namespaceOfSpecKey('config:app:db%3Ahost')).toBe('app');
    expect(namespaceOfSpecKey('config:version:app:db:3')).toBe('app');
    expect(namespaceOfSpecKey('config:versions:app:db')).toBe('app');
    expect(namespaceOfSpecKey('namespace:configs:app')).toBe('app');
    // `versions` and `version` are namespaces too: their latest-value keys have three parts.
    expect(namespaceOfSpecKey('config:versions:db')).toBe('versions');
    expect(namespaceOfSpecKey('config:version:db')).toBe('version');
    expect(namespaceOfSpecKey('config:version:version:db:1')).toBe('version');
  });

  it('ignores fences, locks and keys that are not the spec’s', () => {
    expect(namespaceOfSpecKey('cc:epoch:app')).toBeUndefined();
    expect(namespaceOfSpecKey('lock:config:app:db')).toBeUndefined();
    expect(namespaceOfSpecKey('config:app')).toBeUndefined();
    expect(namespaceOfSpecKey('session:42')).toBeUndefined();
  });
});
