import { AppError, ErrorCode, ServiceUnavailable } from '@cc/common';
import { Caller } from '../auth/caller';
import { TokenAuthenticator } from '../auth/token-authenticator';
import { enabledNamespace } from '../namespace/namespace-lookup';
import { StateReader } from '../state/state-view';
import { EventHistory, HistoryEntry } from './event-history';
import { WatchEvent } from './watch-event';
import { filteredJson, snapshotOf, WatchFilter, WatchRequest } from './watch-filter';

export type WatcherKind = 'sse' | 'poll';

/** An event as one watcher sees it: its revision and its (filtered) JSON. */
export interface WatchFrame {
  revision: number;
  json: string;
  /** Its SSE bytes, encoded once for every stream that shares the frame (watch-transports.ts). */
  sse?: Buffer;
  /** The history entry whose whole JSON this is: its bytes are encoded once on it, for all. */
  entry?: HistoryEntry;
}

/**
 * A snapshot serialized once per filter and revision for every watcher that needs it; `built`
 * is true for the watcher whose request built it (a large one takes an expensive-read slot).
 */
export interface SharedSnapshot {
  revision: number;
  json: Buffer;
  built: boolean;
}

/** Snapshots kept for the current revision, by filter, at most this many bytes together. */
const SNAPSHOT_CACHE_BYTES = 64 * 1024 * 1024;

/** Where a watcher's events go: an SSE stream or a pending long poll (watch-transports.ts). */
export interface WatchSink {
  readonly kind: WatcherKind;
  events(frames: WatchFrame[]): void;
  /** May throw (no expensive-read slot for a large one): the watcher is then ended. */
  snapshot(snapshot: SharedSnapshot): void;
  /** Ends the watcher with `error` (its token or a namespace is no longer good, the node stops). */
  fail(error: AppError): void;
}

/** Bounds of one process's watchers (env/app-config.ts). */
export interface WatchSettings {
  maxWatchers: number;
  /** Watchers of one client (a token's client id) in this process; beyond: 42902. */
  maxWatchersPerClient: number;
  historyEvents: number;
  historyBytes: number;
}

/** What the hub reports (Prometheus on the node, IPC to the node from a read worker). */
export interface WatchMetricsSink {
  watchers(kind: WatcherKind, count: number): void;
  delivered(kind: WatcherKind, events: number): void;
  fanout(milliseconds: number): void;
}

const NO_METRICS: WatchMetricsSink = {
  watchers: () => undefined,
  delivered: () => undefined,
  fanout: () => undefined,
};
/** setTimeout's largest delay; a token expiring later is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Watcher {
  readonly sink: WatchSink;
  readonly filter: WatchFilter;
  readonly authorization: string | undefined;
  /** Whose watcher it is (a token's client id), for the per-client bound. */
  readonly clientId: string;
  /** The last revision this watcher has (events at or below it are not sent again). */
  position: number;
  expiry?: NodeJS.Timeout;
}

/**
 * The watchers of one process (the node, or a read worker) and the recent events they are
 * served from. Fed with one event per committed entry (DESIGN 24) after the view shows it;
 * `reset` when the view was replaced by a snapshot. Framework-free: the HTTP side is a sink.
 */
export class WatchHub {
  private readonly history: EventHistory;
  private readonly watchers = new Set<Watcher>();
  private readonly counts: Record<WatcherKind, number> = { sse: 0, poll: 0 };
  private readonly perClient = new Map<string, number>();
  private lastRevision: number;
  private stopped = false;
  private snapshots = { revision: -1, bytes: 0, byFilter: new Map<string, Buffer>() };

  constructor(
    private readonly reader: StateReader,
    private readonly authenticator: TokenAuthenticator,
    private readonly settings: WatchSettings,
    private readonly metrics: WatchMetricsSink = NO_METRICS,
    private readonly now: () => number = Date.now,
  ) {
    this.lastRevision = reader.appliedIndex;
    this.history = new EventHistory(
      settings.historyEvents,
      settings.historyBytes,
      reader.appliedIndex,
    );
  }

  /** The last applied index the events cover: a poll that got nothing resumes from here. */
  get position(): number {
    return this.lastRevision;
  }

  get historyFloor(): number {
    return this.history.floor;
  }

  count(kind: WatcherKind): number {
    return this.counts[kind];
  }

  /**
   * Starts watching: a snapshot first (no start point, or one older than the history), else
   * the events after the start point that the history holds; then every new one. 50301 when
   * this process has its maximum of watchers (another node or worker can take it) or stops.
   */
  attach(sink: WatchSink, request: WatchRequest, authorization: string | undefined): Watcher {
    if (this.stopped) throw new ServiceUnavailable('this node is stopping');
    if (this.watchers.size >= this.settings.maxWatchers)
      throw new ServiceUnavailable(
        `this process serves its maximum of ${this.settings.maxWatchers} watchers; retry on another node`,
        { max_watchers: this.settings.maxWatchers },
      );
    // One client cannot take every slot of the process from the others.
    const caller = this.authenticator.authenticate(authorization);
    const clientId = caller.clientId;
    const ofClient = this.perClient.get(clientId) ?? 0;
    if (ofClient >= this.settings.maxWatchersPerClient)
      throw new AppError(
        ErrorCode.CLIENT_QUOTA_EXCEEDED,
        `client ${clientId} has its maximum of ${this.settings.maxWatchersPerClient} watchers on this process; close some, or retry on another node`,
        { max_watchers_per_client: this.settings.maxWatchersPerClient },
      );
    const watcher: Watcher = {
      sink,
      filter: request.filter,
      authorization,
      clientId,
      position: request.revision ?? -1,
    };
    this.watchers.add(watcher);
    this.perClient.set(clientId, ofClient + 1);
    this.counts[sink.kind]++;
    this.metrics.watchers(sink.kind, this.counts[sink.kind]);
    this.scheduleExpiry(watcher, caller);
    try {
      if (request.revision === undefined || !this.history.covers(request.revision))
        this.sendSnapshot(watcher);
      else this.send(watcher, this.history.after(request.revision), new Map());
    } catch (error) {
      this.detach(watcher);
      throw error;
    }
    return watcher;
  }

  detach(watcher: Watcher): void {
    if (!this.watchers.delete(watcher)) return;
    clearTimeout(watcher.expiry);
    const ofClient = (this.perClient.get(watcher.clientId) ?? 1) - 1;
    if (ofClient > 0) this.perClient.set(watcher.clientId, ofClient);
    else this.perClient.delete(watcher.clientId);
    this.counts[watcher.sink.kind]--;
    this.metrics.watchers(watcher.sink.kind, this.counts[watcher.sink.kind]);
  }

  /** The events of one applied batch (possibly none), the view already showing `appliedIndex`. */
  publish(events: readonly WatchEvent[], appliedIndex: number): void {
    if (appliedIndex <= this.lastRevision) return;
    const fresh = events.filter((event) => event.revision > this.lastRevision);
    this.lastRevision = appliedIndex;
    if (fresh.length === 0) return;
    const started = performance.now();
    const entries = fresh.map((event) => this.history.append(event));
    const shared = new Map<string, Array<WatchFrame>>();
    for (const watcher of [...this.watchers]) this.send(watcher, entries, shared);
    if (this.watchers.size > 0) this.metrics.fanout(performance.now() - started);
  }

  /** The view was replaced (a snapshot installed): every watcher starts over from a snapshot. */
  reset(appliedIndex: number): void {
    this.lastRevision = appliedIndex;
    this.history.reset(appliedIndex);
    this.revalidate();
    for (const watcher of [...this.watchers]) {
      try {
        this.sendSnapshot(watcher);
      } catch (error) {
        this.end(watcher, error as AppError);
      }
    }
  }

  /** Tokens or namespaces changed: watchers that may no longer watch end with the reason. */
  revalidate(): void {
    for (const watcher of [...this.watchers]) this.check(watcher);
  }

  /** The process stops: every watcher ends with 50301 (its client goes to another node). */
  stop(): void {
    this.stopped = true;
    const error = new ServiceUnavailable('this node is stopping; reconnect to another node');
    for (const watcher of [...this.watchers]) this.end(watcher, error);
  }

  /**
   * Ends the watcher with the reason when it may no longer watch; else its expiry timer follows
   * the token's current deadline (a rotation's grace period may have begun since).
   */
  private check(watcher: Watcher): void {
    let caller: Caller;
    try {
      caller = this.authenticator.authenticate(watcher.authorization);
      this.authenticator.requireRole(caller, 'reader');
      this.authenticator.requireNamespaces(caller, watcher.filter.namespaces);
      for (const name of watcher.filter.namespaces) enabledNamespace(this.reader, name);
    } catch (error) {
      return this.end(watcher, error as AppError);
    }
    this.scheduleExpiry(watcher, caller);
  }

  private end(watcher: Watcher, error: AppError): void {
    this.detach(watcher);
    watcher.sink.fail(error);
  }

  /** An expiring token (or a rotated secret's grace period) ends its watchers on time. */
  private scheduleExpiry(watcher: Watcher, caller: Caller): void {
    clearTimeout(watcher.expiry);
    const deadline = this.deadlineOf(caller);
    if (deadline === undefined) return;
    const delay = Math.min(Math.max(deadline - this.now(), 0) + 1, MAX_TIMER_MS);
    watcher.expiry = setTimeout(() => this.check(watcher), delay);
    watcher.expiry.unref();
  }

  private deadlineOf(caller: Caller): number | undefined {
    const token = caller.tokenId === null ? undefined : this.reader.tokenById(caller.tokenId);
    if (!token) return undefined;
    const now = this.now();
    const candidates = [token.expiresAt, token.previousValidUntil].filter(
      (at): at is number => at !== null && at > now,
    );
    return candidates.length > 0 ? Math.min(...candidates) : undefined;
  }

  private sendSnapshot(watcher: Watcher): void {
    const revision = this.reader.appliedIndex;
    const cache = this.snapshots;
    if (cache.revision !== revision) this.snapshots = { revision, bytes: 0, byFilter: new Map() };
    let json = this.snapshots.byFilter.get(watcher.filter.id);
    const built = json === undefined;
    if (json === undefined) {
      json = Buffer.from(JSON.stringify(snapshotOf(this.reader, watcher.filter)));
      if (this.snapshots.bytes + json.length <= SNAPSHOT_CACHE_BYTES) {
        this.snapshots.byFilter.set(watcher.filter.id, json);
        this.snapshots.bytes += json.length;
      }
    }
    watcher.sink.snapshot({ revision, json, built });
    watcher.position = revision;
  }

  private send(
    watcher: Watcher,
    entries: readonly HistoryEntry[],
    shared: Map<string, WatchFrame[]>,
  ): void {
    let frames = shared.get(watcher.filter.id);
    if (!frames) {
      frames = [];
      for (const entry of entries) {
        const json = filteredJson(entry, watcher.filter);
        if (json !== undefined)
          frames.push({
            revision: entry.event.revision,
            json,
            entry: json === entry.json ? entry : undefined,
          });
      }
      shared.set(watcher.filter.id, frames);
    }
    const position = watcher.position;
    const due =
      frames[0]?.revision > position ? frames : frames.filter((f) => f.revision > position);
    if (due.length === 0) return;
    watcher.position = due[due.length - 1].revision;
    this.metrics.delivered(watcher.sink.kind, due.length);
    watcher.sink.events(due);
  }
}
