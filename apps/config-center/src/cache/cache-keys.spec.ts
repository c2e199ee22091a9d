import { cacheKeys, decodeKeyPart, encodeKeyPart } from './cache-keys';

describe('cache key schema', () => {
  it('percent-encodes % and : and nothing else', () => {
    expect(encodeKeyPart('a:b')).toBe('a%3Ab');
    expect(encodeKeyPart('50%:x')).toBe('50%25%3Ax');
    expect(encodeKeyPart('%3A')).toBe('%253A');
    expect(encodeKeyPart('服务/db.url-v_1')).toBe('服务/db.url-v_1');
    expect(encodeKeyPart('ключ')).toBe('ключ');
  });

  it('decodes what it encoded', () => {
    for (const name of ['a:b', '%3A', '%253A', '100%', '键:值%', ':', '%'])
      expect(decodeKeyPart(encodeKeyPart(name))).toBe(name);
  });

  it('names keys exactly as the spec writes them', () => {
    expect(cacheKeys.latest('app', 'db.url')).toBe('config:app:db.url');
    expect(cacheKeys.version('app', 'db.url', 3)).toBe('config:version:app:db.url:3');
    expect(cacheKeys.namespace('app')).toBe('namespace:configs:app');
    expect(cacheKeys.versionList('app', 'db.url')).toBe('config:versions:app:db.url');
    expect(cacheKeys.lock('app', 'db.url')).toBe('lock:config:app:db.url');
    expect(cacheKeys.latest('app', '数据库:主')).toBe('config:app:数据库%3A主');
  });

  it('never lets a namespace called `version` or `versions` collide with another key', () => {
    // Without encoding, namespace `version` + key `app:k:3` would equal version 3 of app/k.
    expect(cacheKeys.latest('version', 'app:k:3')).not.toBe(cacheKeys.version('app', 'k', 3));
    expect(cacheKeys.latest('versions', 'app:k')).not.toBe(cacheKeys.versionList('app', 'k'));
    expect(cacheKeys.latest('versions', 'app:k')).toBe('config:versions:app%3Ak');
    const names = ['a', 'a:b', 'a%3Ab', 'b', ':b', 'a:', '%'];
    const keys = new Set<string>();
    for (const namespace of names)
      for (const key of names) keys.add(cacheKeys.latest(namespace, key));
    expect(keys.size).toBe(names.length * names.length);
  });
});
