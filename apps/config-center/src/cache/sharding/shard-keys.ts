import { cacheKeys, decodeKeyPart } from '../cache-keys';

// The keys this module reads in a shard are cache-keys.ts' (one layout, one encoding): a name
// inside a key has `%` and `:` percent-encoded, so splitting a spec key on `:` is unambiguous.

/**
 * The SCAN patterns that cover every spec key (constant: no name is ever put in a glob, so a
 * name with `*`, `?` or `[` cannot widen a match).
 */
export const SPEC_KEY_PATTERNS = [
  'config:*',
  'namespace:configs:*',
  'cc:rev:*',
  'cc:vpages:*',
  'cc:refill:*',
] as const;

/**
 * The namespace a spec key belongs to, or undefined for anything else (fences, locks, keys of
 * other applications). By the number of parts: `config:{ns}:{key}` (3),
 * `config:versions:{ns}:{key}` (4), `config:version:{ns}:{key}:{v}` (5),
 * `namespace:configs:{ns}` (3), the cache's guard `cc:rev:{ns}` and its version-list pages
 * `cc:vpages:{ns}:{key}`, and a refill's staging hash `cc:refill:{ns}:{id}` —
 * `config:versions:{key}` is namespace `versions`' key.
 */
export function namespaceOfCacheKey(key: string): string | undefined {
  const parts = key.split(':');
  // The cache's revision guard goes with the keys it guards: once they are gone, the filler
  // must see the namespace as missing here, not as up to date.
  if (parts[0] === 'cc') {
    if (parts.length === 3 && parts[1] === 'rev') return decodeKeyPart(parts[2]);
    return parts.length === 4 && (parts[1] === 'vpages' || parts[1] === 'refill')
      ? decodeKeyPart(parts[2])
      : undefined;
  }
  if (parts[0] === 'namespace')
    return parts.length === 3 && parts[1] === 'configs' ? decodeKeyPart(parts[2]) : undefined;
  if (parts[0] !== 'config') return undefined;
  if (parts.length === 3) return decodeKeyPart(parts[1]);
  if (parts.length === 4 && parts[1] === 'versions') return decodeKeyPart(parts[2]);
  if (parts.length === 5 && parts[1] === 'version') return decodeKeyPart(parts[2]);
  return undefined;
}

/**
 * The keys of a namespace whose value changes with writes (the historical versions never do):
 * the cache's revision guard, the namespace hash, and per config key its latest value, its
 * version list and our pages of that list.
 */
export function mutableKeysOf(namespace: string, keys: readonly string[]): string[] {
  return [
    cacheKeys.guard(namespace),
    cacheKeys.namespace(namespace),
    ...keys.flatMap((key) => [
      cacheKeys.latest(namespace, key),
      cacheKeys.versionList(namespace, key),
      cacheKeys.versionPages(namespace, key),
    ]),
  ];
}

/**
 * KEYS[1] the fence, KEYS[2..] the namespace's mutable keys; ARGV epoch, and '1' to drop the
 * keys even when the fence was already there. Raises the fence to the epoch unless it holds a
 * higher one (fences only rise: a node that applies an older move late cannot lower what a
 * newer move set) and, in the same step, drops the keys: a fill refused by the fence can never
 * leave an older value of them behind. Answers the fence's previous value.
 */
export const FENCE_AND_DROP_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local raised = current < tonumber(ARGV[1])
if raised then redis.call('SET', KEYS[1], ARGV[1]) end
if raised or ARGV[2] == '1' then
  for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
end
return current
`;
