import type { ChainableCommander, default as Redis } from 'ioredis';

/**
 * The Lua that makes fills revision-guarded (DESIGN 18) and epoch-fenced (redis-shards.ts).
 * Each runs atomically in Redis: no fill can slip between a compare and its write.
 *
 * Common KEYS: [1] the namespace's revision guard `cc:rev:{ns}`, [2] its fence `cc:epoch:{ns}`.
 * Results: -1 fenced (the routing epoch moved on), 0 stale (Redis already shows this revision or
 * a later one), 1 written, 2 the hash cannot take an increment (missing or behind): fill it whole.
 */
const GUARDS = `
local guard = tonumber(redis.call('GET', KEYS[1]) or '0')
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
local revision = tonumber(ARGV[1])
if tonumber(ARGV[2]) < fence then return -1 end
if guard >= revision then return 0 end
`;

/**
 * The changes of one applied batch to a namespace: KEYS[3] the hash, KEYS[4..] the latest keys;
 * ARGV: revision, epoch, the revision the hash must show now, TTLs (latest, hash, guard), then
 * per latest key its field and its JSON ('' for a deleted key).
 */
const FILL_CHANGES = `${GUARDS}
local previous = tonumber(ARGV[3])
local incremental = guard == previous and redis.call('EXISTS', KEYS[3]) == 1
if not incremental then return 2 end
for i = 4, #KEYS do
  local field = ARGV[7 + (i - 4) * 2]
  local json = ARGV[8 + (i - 4) * 2]
  if json == '' then
    redis.call('DEL', KEYS[i])
    redis.call('HDEL', KEYS[3], field)
  else
    redis.call('SET', KEYS[i], json, 'EX', ARGV[4])
    redis.call('HSET', KEYS[3], field, json)
  end
end
redis.call('EXPIRE', KEYS[3], ARGV[5])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[6])
return 1
`;

/**
 * What a whole fill and a part of one share: KEYS[3] a hash, then latest keys, then as many
 * version lists; field and JSON pairs from ARGV[firstField]; ARGV[3] the latest keys' TTL. Each
 * list goes, each latest key is written (or deleted for JSON '') and put in the hash; `live`
 * counts what the hash took.
 */
const writeLatestKeys = (firstField: number) => `
local count = (#KEYS - 3) / 2
for i = 4 + count, #KEYS do redis.call('DEL', KEYS[i]) end
local live = 0
for i = 4, 3 + count do
  local field = ARGV[${firstField} + (i - 4) * 2]
  local json = ARGV[${firstField + 1} + (i - 4) * 2]
  if json == '' then
    redis.call('DEL', KEYS[i])
  else
    redis.call('SET', KEYS[i], json, 'EX', ARGV[3])
    redis.call('HSET', KEYS[3], field, json)
    live = live + 1
  end
end`;

/**
 * A whole namespace: KEYS[3] the hash, then every latest key (deleted ones too, so a delete
 * Redis missed goes), then each key's version list; ARGV: revision, epoch, TTLs (latest, hash,
 * guard), then field and JSON per key. The lists go: a fill Redis missed may have missed a
 * version on them (the next read refills them whole).
 */
const FILL_NAMESPACE = `${GUARDS}
redis.call('DEL', KEYS[3])
${writeLatestKeys(6)}
if live > 0 then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[5])
return 1
`;

/**
 * One part of a namespace too large for one script (namespace-refill.ts): KEYS[3] a staging hash
 * of this refill's own, then latest keys and version lists as FILL_NAMESPACE; ARGV revision,
 * epoch, TTLs (latest, staging), then field and JSON per key. The latest keys are written at
 * once (each is right at this revision while the guard is below it); the hash is built aside.
 */
const FILL_NAMESPACE_PART = `${GUARDS}
${writeLatestKeys(5)}
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
return 1
`;

/**
 * The end of a refill in parts: KEYS[3] the staging hash, KEYS[4] the namespace's hash; ARGV
 * revision, epoch, TTLs (hash, guard), the number of live keys the parts wrote. The staging hash
 * becomes the namespace's hash and the guard moves to the revision; 3 when the staging hash is
 * not whole (it expired): nothing is changed, the refill is done again.
 */
const COMMIT_NAMESPACE = `${GUARDS}
if redis.call('HLEN', KEYS[3]) ~= tonumber(ARGV[5]) then return 3 end
if tonumber(ARGV[5]) == 0 then
  redis.call('DEL', KEYS[4])
else
  redis.call('RENAME', KEYS[3], KEYS[4])
  redis.call('EXPIRE', KEYS[4], ARGV[3])
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
return 1
`;

/**
 * A historical version: KEYS fence, the key, `cc:pruned`; ARGV epoch, JSON, TTL, the log index
 * the read began at. A version never changes once written (DESIGN 13), but a prune may remove it:
 * a fill read before the last prune is refused.
 */
const FILL_VERSION = `
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[1]) or '0') then return -1 end
if tonumber(redis.call('GET', KEYS[3]) or '0') > tonumber(ARGV[4]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
`;

/**
 * The spec's sorted set of versions (no TTL: spec 3.4.1), read whole from the database on a miss:
 * KEYS guard, fence, set; ARGV the namespace revision the read started at, epoch, then score and
 * member pairs. Refused once a later write was filled: its version might be missing here.
 */
const FILL_VERSION_LIST = `
local guard = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[2]) < tonumber(redis.call('GET', KEYS[2]) or '0') then return -1 end
if guard > tonumber(ARGV[1]) then return 0 end
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
for i = 3, #ARGV, 2 do redis.call('ZADD', KEYS[3], ARGV[i], ARGV[i + 1]) end
return 1
`;

/** One more version on a list Redis holds already (a partial list would mislead its readers). */
const EXTEND_VERSION_LIST = `
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[1]) or '0') then return -1 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
`;

/**
 * A page of a key's version list read from the database: KEYS fence, the pages hash, `cc:pruned`;
 * ARGV epoch, the log index the read began at, field, JSON, TTL. Refused when the list changed
 * after that index (`since`) or a prune came after it: the page might miss the change.
 */
const FILL_VERSION_PAGE = `
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[1]) or '0') then return -1 end
if tonumber(redis.call('GET', KEYS[3]) or '0') > tonumber(ARGV[2]) then return 0 end
if tonumber(redis.call('HGET', KEYS[2], 'since') or '0') > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
`;

/**
 * The version lists of KEYS[2..] changed at log index ARGV[2]: each pages hash is replaced by one
 * holding only `since` (never lowered), so no page read before the change can come back. KEYS[1]
 * the fence, ARGV[1] the epoch, ARGV[3] the TTL.
 */
const RESET_VERSION_PAGES = `
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[1]) or '0') then return -1 end
for i = 2, #KEYS do
  local since = math.max(tonumber(redis.call('HGET', KEYS[i], 'since') or '0'), tonumber(ARGV[2]))
  redis.call('DEL', KEYS[i])
  redis.call('HSET', KEYS[i], 'since', since)
  redis.call('EXPIRE', KEYS[i], ARGV[3])
end
return 1
`;

/** KEYS[1] := ARGV[1] unless it holds a larger number already. */
const RAISE = `
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`;

/** Releases `lock:config:{ns}:{key}` only if it still holds our token. */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const SCRIPTS = {
  ccFillChanges: FILL_CHANGES,
  ccFillNamespace: FILL_NAMESPACE,
  ccFillNamespacePart: FILL_NAMESPACE_PART,
  ccCommitNamespace: COMMIT_NAMESPACE,
  ccFillVersion: FILL_VERSION,
  ccFillVersionList: FILL_VERSION_LIST,
  ccExtendVersionList: EXTEND_VERSION_LIST,
  ccFillVersionPage: FILL_VERSION_PAGE,
  ccResetVersionPages: RESET_VERSION_PAGES,
  ccReleaseLock: RELEASE_LOCK,
  ccRaise: RAISE,
} as const;

type ScriptName = keyof typeof SCRIPTS;
type ScriptCall = (keys: string[], args: Array<string | number>) => Promise<number>;

/** The scripts as typed calls on `client` (EVALSHA, loaded on first use by ioredis). */
export type CacheScripts = Record<ScriptName, ScriptCall>;

const defined = new WeakSet<Redis>();

export function cacheScripts(client: Redis): CacheScripts {
  if (!defined.has(client)) {
    for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { lua });
    defined.add(client);
  }
  const calls = {} as CacheScripts;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    calls[name] = async (keys, args) => {
      const command = (
        client as unknown as Record<ScriptName, (...a: unknown[]) => Promise<number>>
      )[name];
      return command.call(client, keys.length, ...keys, ...args);
    };
  }
  return calls;
}

/** Queues script `name` on `pipeline` (of a client `cacheScripts` defined the scripts on). */
export function queueScript(
  pipeline: ChainableCommander,
  name: ScriptName,
  keys: string[],
  args: Array<string | number>,
): void {
  const command = (pipeline as unknown as Record<ScriptName, (...a: unknown[]) => unknown>)[name];
  command.call(pipeline, keys.length, ...keys, ...args);
}
