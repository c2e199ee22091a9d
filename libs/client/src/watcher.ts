import { ClientClosedError, ConfigCenterError, isRetriableOnAnotherServer } from './errors';
import { Listeners } from './listeners';
import { ServerPool } from './server-pool';
import { SnapshotFile } from './snapshot-file';
import { SseFrame, SseParser } from './sse-parser';
import { authHeaders, describeNetworkError, parseEnvelope } from './transport';
import { AppliedUpdate, JsonValue, WatchEvent, WatchSnapshot } from './types';
import { WatchState } from './watch-state';

export interface WatchOptions {
  /** The namespaces to watch (1..50). */
  namespaces: string[];
  /** Only keys starting with this. */
  prefix?: string;
  /**
   * A directory for the on-disk snapshot of this watch (one file per namespace set and prefix).
   * With it, a watcher starts from its last known config when every server is down.
   */
  snapshotDir?: string;
  /** Coalesces snapshot-file writes during bursts; default 200 ms. */
  snapshotWriteDelayMs?: number;
  /** How long the stream's headers may take; default the client's timeoutMs. */
  connectTimeoutMs?: number;
  /**
   * Silence after which a stream counts as dead and the watcher moves to the next server. The
   * server sends a heartbeat every 15 s; default 40,000 ms.
   */
  idleTimeoutMs?: number;
}

export interface WatcherDeps {
  pool: ServerPool;
  token: string | undefined;
  timeoutMs: number;
}

/**
 * A live view of some namespaces, kept current over Server-Sent Events. It resumes by revision
 * (Last-Event-ID) on the same or another server after any failure, so every event is applied
 * exactly once and in revision order; a snapshot from the server replaces what it holds.
 */
export class Watcher extends Listeners {
  /** Settles once the watcher holds a state (from the server or the on-disk snapshot). */
  readonly ready: Promise<void>;
  private readonly state = new WatchState();
  private readonly stop = new AbortController();
  private readonly file: SnapshotFile | undefined;
  private readonly running: Promise<void>;
  private settleReady!: (error?: ConfigCenterError) => void;
  private saveTimer: NodeJS.Timeout | undefined;
  private fatal: ConfigCenterError | undefined;
  private attachedTo: string | undefined;

  constructor(
    private readonly options: WatchOptions,
    private readonly deps: WatcherDeps,
  ) {
    super();
    if (options.namespaces.length === 0) throw new TypeError('watch needs at least one namespace');
    this.ready = new Promise<void>((resolve, reject) => {
      let settled = false;
      this.settleReady = (error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
    });
    this.ready.catch(() => undefined);
    this.file =
      options.snapshotDir === undefined
        ? undefined
        : new SnapshotFile(options.snapshotDir, options.namespaces, options.prefix ?? '');
    this.running = this.run();
  }

  /** The revision of the last applied event or snapshot. */
  get revision(): number | undefined {
    return this.state.revision;
  }

  /** The server the stream is attached to now, if any. */
  get server(): string | undefined {
    return this.attachedTo;
  }

  /** The error that stopped the watcher (a 4xx: bad token, namespace disabled...), if any. */
  get stoppedBy(): ConfigCenterError | undefined {
    return this.fatal;
  }

  get<T extends JsonValue = JsonValue>(namespace: string, key: string): T | undefined {
    return this.state.get(namespace, key)?.value as T | undefined;
  }

  version(namespace: string, key: string): number | undefined {
    return this.state.get(namespace, key)?.version;
  }

  /** Every config held of a namespace, key -> value. */
  namespace(namespace: string): Record<string, JsonValue> {
    const all: Record<string, JsonValue> = {};
    for (const [key, held] of this.state.namespace(namespace)) {
      Object.defineProperty(all, key, { value: held.value, enumerable: true, writable: true });
    }
    return all;
  }

  /** Stops the stream and writes the on-disk snapshot one last time. */
  async close(): Promise<void> {
    this.stop.abort();
    this.settleReady(new ClientClosedError());
    await this.running;
    await this.flushSnapshot();
  }

  private async run(): Promise<void> {
    await this.loadFromDisk();
    while (!this.stop.signal.aborted) {
      const server = this.deps.pool.preferred;
      try {
        await this.streamFrom(server);
        throw new ConfigCenterError(50301, 'the server ended the stream', 0, undefined, server);
      } catch (error) {
        this.attachedTo = undefined;
        if (this.stop.signal.aborted) return;
        const typed = asTyped(error, server);
        if (!isRetriableOnAnotherServer(typed)) {
          this.fatal = typed;
          this.settleReady(typed);
          this.emitError(typed);
          return;
        }
        this.emitError(typed);
        await delay(this.deps.pool.failed(server), this.stop.signal);
      }
    }
  }

  private async loadFromDisk(): Promise<void> {
    const saved = await this.file?.load();
    if (!saved || this.state.revision !== undefined) return;
    this.publish(this.state.applySnapshot(saved, 'disk'));
    this.settleReady();
  }

  private async streamFrom(server: string): Promise<void> {
    const url = new URL('/api/v1/config/stream', server);
    for (const namespace of this.options.namespaces)
      url.searchParams.append('namespace', namespace);
    if (this.options.prefix) url.searchParams.set('prefix', this.options.prefix);
    const revision = this.state.revision;
    const connection = new AbortController();
    const abort = () => connection.abort();
    this.stop.signal.addEventListener('abort', abort);
    const connectTimeoutMs = this.options.connectTimeoutMs ?? this.deps.timeoutMs;
    let idle = setTimeout(abort, connectTimeoutMs);
    try {
      const response = await fetch(url, {
        signal: connection.signal,
        headers: {
          accept: 'text/event-stream',
          ...authHeaders(this.deps.token),
          ...(revision === undefined ? {} : { 'last-event-id': String(revision) }),
        },
      });
      const type = response.headers.get('content-type') ?? '';
      if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
        parseEnvelope(server, response.status, await response.text());
        throw new ConfigCenterError(
          50001,
          `HTTP ${response.status}: not an event stream`,
          response.status,
          undefined,
          server,
        );
      }
      this.attachedTo = server;
      const parser = new SseParser();
      const reader = response.body.getReader();
      const idleTimeoutMs = this.options.idleTimeoutMs ?? 40_000;
      for (;;) {
        clearTimeout(idle);
        idle = setTimeout(abort, idleTimeoutMs);
        const { done, value } = await reader.read();
        if (done) return;
        for (const frame of parser.push(value)) this.onFrame(frame, server);
      }
    } catch (error) {
      if (connection.signal.aborted && !this.stop.signal.aborted) {
        throw new ConfigCenterError(
          50301,
          'the stream went silent or did not start in time',
          0,
          undefined,
          server,
        );
      }
      throw error;
    } finally {
      clearTimeout(idle);
      this.stop.signal.removeEventListener('abort', abort);
      connection.abort();
    }
  }

  private onFrame(frame: SseFrame, server: string): void {
    if (frame.event === 'error') {
      const body = JSON.parse(frame.data) as { code?: number; message?: string };
      const code = typeof body.code === 'number' ? body.code : 50001;
      throw new ConfigCenterError(
        code,
        body.message ?? 'stream error',
        Math.floor(code / 100),
        undefined,
        server,
      );
    }
    if (frame.event === 'snapshot') {
      const snapshot = JSON.parse(frame.data) as WatchSnapshot;
      this.publish(this.state.applySnapshot(snapshot, 'snapshot'));
    } else if (frame.event === 'change') {
      const update = this.state.applyEvent(JSON.parse(frame.data) as WatchEvent);
      if (update) this.publish(update);
    } else {
      return;
    }
    this.deps.pool.succeeded(server);
    this.settleReady();
  }

  private publish(update: AppliedUpdate): void {
    this.emitUpdate(update);
    if (update.source !== 'disk') this.scheduleSnapshotWrite();
  }

  private scheduleSnapshotWrite(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(
      () => void this.flushSnapshot(),
      this.options.snapshotWriteDelayMs ?? 200,
    );
    this.saveTimer.unref();
  }

  private async flushSnapshot(): Promise<void> {
    if (!this.saveTimer || !this.file || this.state.revision === undefined) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    try {
      await this.file.save(this.state.revision, this.state.entries());
    } catch (error) {
      this.emitError(
        new ConfigCenterError(
          50001,
          `could not write the snapshot file: ${describeNetworkError(error)}`,
        ),
      );
    }
  }
}

function asTyped(error: unknown, server: string): ConfigCenterError {
  if (error instanceof ConfigCenterError) return error;
  return new ConfigCenterError(50301, describeNetworkError(error), 0, undefined, server);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
