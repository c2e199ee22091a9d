import { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@cc/common';
import { SharedJson, sharedAnswer } from '../http/shared-answer';
import { AppConfig } from '../env/app-config';
import { StateReader } from '../state/state-view';
import { EXPENSIVE_ANSWER_BYTES } from '../http/expensive-reads';
import { MAX_EVENTS_PER_POLL, parseWatchQuery, pollTimeoutMs } from './watch-filter';
import { SharedSnapshot, WatchFrame, Watcher, WatchHub, WatchSink } from './watch-hub';

/** What the HTTP side of watching needs, on the node and in a read worker alike. */
export interface WatchTransportDeps {
  hub: WatchHub;
  reader: StateReader;
  heartbeatMs: number;
  /** An SSE stream whose unsent bytes pass this is dropped: its client does not read. */
  streamBufferBytes: number;
  /** A stream or an answer that does not drain for this long is dropped. */
  stallTimeoutMs: number;
  /** The server's idle timeout, restored on a keep-alive connection after a long poll. */
  idleTimeoutMs: number;
  /** Answers an error as the JSON envelope (before a stream starts, or a long poll). */
  answerError(request: FastifyRequest, reply: FastifyReply, error: unknown): void;
}

/** The dependencies from the validated settings (`answerError` is the process's own mapper). */
export function watchTransportDeps(
  hub: WatchHub,
  reader: StateReader,
  config: AppConfig,
  answerError: WatchTransportDeps['answerError'],
): WatchTransportDeps {
  return {
    hub,
    reader,
    heartbeatMs: config.watch.heartbeatSeconds * 1000,
    streamBufferBytes: config.watch.streamBufferBytes,
    stallTimeoutMs: config.answerStallTimeoutMs,
    idleTimeoutMs: config.http.idleTimeoutMs,
    answerError,
  };
}

/** A frame's JSON bytes: shared through its history entry when it is the whole event. */
const frameBytes = (frame: WatchFrame): Buffer =>
  frame.entry ? (frame.entry.bytes ??= Buffer.from(frame.entry.json)) : Buffer.from(frame.json);

const COMMA = Buffer.from(',');

/**
 * A large snapshot built for this request alone holds memory until its client has taken it: it
 * takes one of the process's expensive-read slots (50301 when none is free) for that long.
 * One served from the per-revision cache is shared and takes none.
 */
function holdForSnapshot(request: FastifyRequest, snapshot: SharedSnapshot): (() => void) | null {
  if (!snapshot.built || snapshot.json.length <= EXPENSIVE_ANSWER_BYTES) return null;
  return request.server.expensiveReads.hold();
}

const lastEventIdOf = (request: FastifyRequest): string | undefined => {
  const header = request.headers['last-event-id'];
  return Array.isArray(header) ? header[0] : header;
};

/** GET /api/v1/config/watch: events after `revision`, at once or after `timeout` seconds. */
export function servePoll(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: WatchTransportDeps,
): void {
  try {
    const query = request.query as Record<string, unknown>;
    const timeoutMs = pollTimeoutMs(query.timeout);
    const watch = parseWatchQuery(query, deps.reader);
    // HEAD (which Fastify adds to every GET) checks the request; it never waits.
    if (request.method === 'HEAD') return void reply.send();
    const poll = new PendingPoll(request, reply, deps, watch.revision ?? 0);
    poll.watch(deps.hub.attach(poll, watch, request.headers.authorization), timeoutMs);
  } catch (error) {
    deps.answerError(request, reply, error);
  }
}

/** GET /api/v1/config/stream: Server-Sent Events, resumable with Last-Event-ID. */
export function serveStream(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: WatchTransportDeps,
): void {
  let stream: EventStream;
  try {
    const watch = parseWatchQuery(
      request.query as Record<string, unknown>,
      deps.reader,
      lastEventIdOf(request),
    );
    if (request.method === 'HEAD')
      return void reply.header('content-type', 'text/event-stream; charset=utf-8').send();
    stream = new EventStream(request, reply, deps);
    stream.watch(deps.hub.attach(stream, watch, request.headers.authorization));
  } catch (error) {
    deps.answerError(request, reply, error);
  }
}

/** A long poll waiting for its first events; answered once, then it leaves the hub. */
class PendingPoll implements WatchSink {
  readonly kind = 'poll';
  private watcher?: Watcher;
  private timer?: NodeJS.Timeout;
  private done = false;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly deps: WatchTransportDeps,
    private readonly from: number,
  ) {}

  watch(watcher: Watcher, timeoutMs: number): void {
    this.watcher = watcher;
    if (this.done) return this.deps.hub.detach(watcher);
    // The poll outlives the server's idle timeout (up to 55 s); restored once answered.
    this.request.raw.socket.setTimeout(0);
    this.timer = setTimeout(
      () => this.answer([], null, Math.max(this.from, this.deps.hub.position)),
      timeoutMs,
    );
    this.reply.raw.on('close', () => this.finish());
  }

  events(frames: WatchFrame[]): void {
    const sent = frames.slice(0, MAX_EVENTS_PER_POLL);
    const parts = sent.flatMap((frame, i) =>
      i === 0 ? [frameBytes(frame)] : [COMMA, frameBytes(frame)],
    );
    this.answer(parts, null, sent[sent.length - 1].revision);
  }

  snapshot(snapshot: SharedSnapshot): void {
    const release = holdForSnapshot(this.request, snapshot);
    if (release) {
      this.reply.raw.once('finish', release);
      this.reply.raw.once('close', release);
    }
    this.answer([], snapshot.json, snapshot.revision);
  }

  fail(error: AppError): void {
    if (this.done) return;
    this.finish();
    this.deps.answerError(this.request, this.reply, error);
  }

  /** The answer's parts are the shared buffers of its events or snapshot, never a copy. */
  private answer(events: Buffer[], snapshot: Buffer | null, revision: number): void {
    if (this.done) return;
    this.finish();
    const parts = [
      Buffer.from('{"events":['),
      ...events,
      Buffer.from('],"snapshot":'),
      snapshot ?? Buffer.from('null'),
      Buffer.from(`,"revision":${revision}}`),
    ];
    void this.reply.send(
      sharedAnswer(this.request, this.reply, new SharedJson(parts), this.deps.stallTimeoutMs),
    );
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    if (this.watcher) this.deps.hub.detach(this.watcher);
    const socket = this.request.raw.socket;
    if (!socket.destroyed) socket.setTimeout(this.deps.idleTimeoutMs);
  }
}

/** One Server-Sent Events stream (WATCH-API.md): frames as they come, heartbeats between. */
class EventStream implements WatchSink {
  readonly kind = 'sse';
  private readonly raw: ServerResponse;
  private watcher?: Watcher;
  private heartbeat?: NodeJS.Timeout;
  private stall?: NodeJS.Timeout;
  private pending: Array<string | Buffer> = [];
  private afterOpen?: () => void;
  private open = false;
  private closed = false;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly deps: WatchTransportDeps,
  ) {
    this.raw = reply.raw;
  }

  /** Attached: the headers go out, then whatever the hub sent meanwhile. */
  watch(watcher: Watcher): void {
    this.watcher = watcher;
    this.reply.hijack();
    // The stream lives for hours: the server's idle timeout does not apply (heartbeats flow).
    this.request.raw.socket.setTimeout(0);
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(this.reply.getHeaders()))
      if (value !== undefined) headers[name] = value;
    this.raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'x-request-id': this.request.id,
    });
    this.open = true;
    this.raw.on('close', () => this.close());
    this.raw.on('drain', () => {
      clearTimeout(this.stall);
      this.stall = undefined;
    });
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), this.deps.heartbeatMs);
    this.heartbeat.unref();
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0) this.write(': connected\n\n');
    for (const text of pending) this.write(text);
    this.afterOpen?.();
    this.afterOpen = undefined;
  }

  events(frames: WatchFrame[]): void {
    for (const frame of frames) {
      const encode = () =>
        Buffer.from(`event: change\nid: ${frame.revision}\ndata: ${frame.json}\n\n`);
      frame.sse ??= frame.entry ? (frame.entry.sse ??= encode()) : encode();
      this.write(frame.sse);
    }
  }

  snapshot(snapshot: SharedSnapshot): void {
    const release = holdForSnapshot(this.request, snapshot);
    this.write(`event: snapshot\nid: ${snapshot.revision}\ndata: `);
    this.write(snapshot.json);
    this.write('\n\n');
    if (release) this.releaseWhenSent(release);
  }

  /** Once what is queued now has left (or the stream is gone), the slot is free again. */
  private releaseWhenSent(release: () => void): void {
    if (this.closed) return release();
    this.raw.once('close', release);
    if (!this.open) {
      this.afterOpen = () => this.releaseWhenSent(release);
      return;
    }
    if (this.raw.writableLength === 0) release();
    else this.raw.once('drain', release);
  }

  fail(error: AppError): void {
    if (this.closed) return;
    this.write(
      `event: error\ndata: ${JSON.stringify({ code: error.code, message: error.message })}\n\n`,
    );
    this.close();
    this.raw.end();
    // A client that does not read the last frame does not hold the stop up.
    setTimeout(() => this.raw.destroy(), 1000).unref();
  }

  private write(text: string | Buffer): void {
    if (this.closed) return;
    if (!this.open) {
      this.pending.push(text);
      return;
    }
    // Not read: dropped once what it has not taken passes the bound (one large event still goes
    // to a client that reads), or when it does not drain in time.
    if (this.raw.writableLength > this.deps.streamBufferBytes) return this.drop();
    if (this.raw.write(text)) return;
    this.stall ??= setTimeout(() => this.drop(), this.deps.stallTimeoutMs);
    this.stall.unref();
  }

  private drop(): void {
    this.close();
    this.raw.destroy();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.stall);
    if (this.watcher) this.deps.hub.detach(this.watcher);
  }
}
