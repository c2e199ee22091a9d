import { BadParameter } from '@cc/common';
import { NAMESPACE_NAME_PATTERN } from '../common/validation';
import { enabledNamespace } from '../namespace/namespace-lookup';
import { StateReader } from '../state/state-view';
import { HistoryEntry } from './event-history';
import { WatchSnapshot } from './watch-event';

export const MAX_WATCHED_NAMESPACES = 50;
/** Long-poll bounds (WATCH-API.md): whole seconds. */
export const POLL_TIMEOUT_MIN_SECONDS = 1;
export const POLL_TIMEOUT_MAX_SECONDS = 55;
export const POLL_TIMEOUT_DEFAULT_SECONDS = 30;
/** Events in one long-poll answer; the client polls again at once from its `revision`. */
export const MAX_EVENTS_PER_POLL = 1000;

export const WATCH_POLL_PATH = '/api/v1/config/watch';
export const WATCH_STREAM_PATH = '/api/v1/config/stream';

/** Watch routes stay out of the request-duration histogram (they wait by design). */
export const isWatchRoute = (url: string | undefined): boolean =>
  url === WATCH_POLL_PATH || url === WATCH_STREAM_PATH;

/** What a watcher watches: the same on both endpoints. */
export interface WatchFilter {
  namespaces: readonly string[];
  prefix: string;
  /** One string per distinct filter: watchers with the same one share serialized frames. */
  id: string;
}

export interface WatchRequest {
  filter: WatchFilter;
  /** Events after this revision; undefined: a snapshot first. */
  revision: number | undefined;
}

const listOf = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function revisionOf(value: unknown, field: string): number {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value))
    throw new BadParameter({ field, value }, `${field} must be an integer >= 0`);
  return Number(value);
}

/** The query of /watch and /stream, checked (40001); namespaces must exist and be enabled. */
export function parseWatchQuery(
  query: Record<string, unknown>,
  reader: StateReader,
  lastEventId?: string,
): WatchRequest {
  const names = listOf(query.namespace);
  if (names.length < 1 || names.length > MAX_WATCHED_NAMESPACES)
    throw new BadParameter(
      { field: 'namespace' },
      `namespace is required, 1 to ${MAX_WATCHED_NAMESPACES} of them (namespace=a&namespace=b)`,
    );
  for (const name of names)
    if (typeof name !== 'string' || !NAMESPACE_NAME_PATTERN.test(name))
      throw new BadParameter({ field: 'namespace', value: name }, `bad namespace name`);
  const prefixes = listOf(query.prefix);
  if (prefixes.length > 1 || (prefixes.length === 1 && typeof prefixes[0] !== 'string'))
    throw new BadParameter({ field: 'prefix' }, 'prefix may be given once');
  const prefix = (prefixes[0] as string | undefined) ?? '';
  if (prefix.length > 1024) throw new BadParameter({ field: 'prefix' }, 'prefix is too long');
  const namespaces = [...new Set(names as string[])].sort();
  for (const name of namespaces) enabledNamespace(reader, name);
  let revision: number | undefined;
  if (lastEventId !== undefined) revision = revisionOf(lastEventId, 'Last-Event-ID');
  else if (query.revision !== undefined) revision = revisionOf(query.revision, 'revision');
  return {
    filter: { namespaces, prefix, id: JSON.stringify([namespaces, prefix]) },
    revision,
  };
}

/** `timeout=` of a long poll, in milliseconds. */
export function pollTimeoutMs(value: unknown): number {
  if (value === undefined) return POLL_TIMEOUT_DEFAULT_SECONDS * 1000;
  const seconds = typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= POLL_TIMEOUT_MIN_SECONDS && seconds <= POLL_TIMEOUT_MAX_SECONDS))
    throw new BadParameter(
      { field: 'timeout', value },
      `timeout must be whole seconds, ${POLL_TIMEOUT_MIN_SECONDS} to ${POLL_TIMEOUT_MAX_SECONDS}`,
    );
  return seconds * 1000;
}

/**
 * The event's JSON as `filter` sees it: the shared serialization when every change matches,
 * else its matching changes; undefined when none does.
 */
export function filteredJson(entry: HistoryEntry, filter: WatchFilter): string | undefined {
  const { changes } = entry.event;
  const matches = changes.filter(
    (change) =>
      filter.namespaces.includes(change.namespace) && change.key.startsWith(filter.prefix),
  );
  if (matches.length === 0) return undefined;
  if (matches.length === changes.length) return entry.json;
  return JSON.stringify({ revision: entry.event.revision, changes: matches });
}

/** Every live config the filter matches, at the reader's applied index. */
export function snapshotOf(reader: StateReader, filter: WatchFilter): WatchSnapshot {
  const configs: WatchSnapshot['configs'] = [];
  for (const name of filter.namespaces) {
    const namespace = reader.namespaceByName(name);
    if (!namespace) continue;
    for (const config of reader.liveConfigs(namespace.id))
      if (config.key.startsWith(filter.prefix))
        configs.push({
          namespace: name,
          key: config.key,
          version: config.version,
          value: config.value,
        });
  }
  return { revision: reader.appliedIndex, configs };
}
