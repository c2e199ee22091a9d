import http, { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { FrameSplitter } from './frame-splitter';
import {
  RAFT_STREAM_CONTENT_TYPE,
  RAFT_STREAM_PATH,
  STREAM_ACK_INTERVAL_MS,
  StreamAck,
} from './raft-wire';

/** How a stream ended, as far as its link cares. */
export type StreamEnd =
  /** Closed by this side: nothing was sent for a while. */
  | { kind: 'idle' }
  /** The peer answered something else than 200 (404 from an older node, 403 for a bad secret). */
  | { kind: 'refused'; status: number }
  /** Connection refused or reset, no acceptance or acknowledgement in time, or ended by the peer. */
  | { kind: 'failed'; reason: string };

export interface StreamListener {
  /** The peer took the stream: frames may be written. */
  opened(stream: RaftStream): void;
  /** The first frames were acknowledged: the peer does read them. */
  confirmed(stream: RaftStream): void;
  drained(stream: RaftStream): void;
  ended(stream: RaftStream, end: StreamEnd): void;
}

export type StreamState = 'connecting' | 'open' | 'closed';

const CONNECT_TIMEOUT_MS = 2_000;
/** Frames unacknowledged this long mean a dead peer or path, even when TCP has not noticed yet. */
const ACK_TIMEOUT_MS = 10 * STREAM_ACK_INTERVAL_MS;
/** A link with nothing to carry (between two followers) gives its connection back. */
const IDLE_CLOSE_MS = 30_000;
const WATCHDOG_MS = 250;
const MAX_RESPONSE_LINE_BYTES = 64 * 1024;

function isAck(value: unknown): value is StreamAck {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).frames === 'number'
  );
}

/** The error envelope's message in the peer's last line, if it ended the stream with one. */
function reasonIn(line: string): string | undefined {
  try {
    const parsed = JSON.parse(line) as { message?: unknown; error?: { details?: unknown } };
    const details = parsed.error?.details;
    if (typeof parsed.message === 'string')
      return typeof details === 'string' ? `${parsed.message}: ${details}` : parsed.message;
  } catch {
    // not JSON: no reason to report
  }
  return undefined;
}

/**
 * The sending side of one long-lived POST /internal/raft/stream to one peer, on a connection
 * of its own. Opens at once; `opened` fires when the peer answers 200 (it took the stream), after
 * which each `write` is one frame batch with no request of its own; `confirmed` once the peer
 * acknowledges frames. `ended` fires exactly once, unless the owner destroys the stream first.
 */
export class RaftStream {
  private current: StreamState = 'connecting';
  private readonly request: ClientRequest;
  private readonly startedAt = Date.now();
  private lastWriteAt = Date.now();
  private framesWritten = 0;
  private framesAcked = 0;
  /** Since when frames are unacknowledged without any sign of life from the peer. */
  private unackedSince: number | null = null;
  private awaitingDrain = false;
  private lastLine = '';
  private wasConfirmed = false;
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    baseUrl: string,
    identity: OutgoingHttpHeaders,
    private readonly listener: StreamListener,
  ) {
    const target = new URL(RAFT_STREAM_PATH, baseUrl);
    this.request = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      agent: false,
      headers: { ...identity, 'content-type': RAFT_STREAM_CONTENT_TYPE },
    });
    this.request.on('response', (response) => this.onResponse(response));
    this.request.on('error', (error) => this.fail(error.message));
    this.request.on('drain', () => {
      this.awaitingDrain = false;
      if (this.current === 'open') this.listener.drained(this);
    });
    this.request.flushHeaders();
    this.watchdog = setInterval(() => this.check(), WATCHDOG_MS);
    this.watchdog.unref();
  }

  get state(): StreamState {
    return this.current;
  }

  /** Milliseconds since the stream was opened. */
  get age(): number {
    return Date.now() - this.startedAt;
  }

  /** Open and not pushing back: a write now goes out at once. */
  get writable(): boolean {
    return this.current === 'open' && !this.awaitingDrain;
  }

  /** Writes `frames` complete frames in one go; false once the connection pushes back. */
  write(text: string, frames: number): boolean {
    if (this.current !== 'open') return false;
    this.lastWriteAt = Date.now();
    if (this.unackedSince === null) this.unackedSince = this.lastWriteAt;
    this.framesWritten += frames;
    if (!this.request.write(text)) this.awaitingDrain = true;
    return !this.awaitingDrain;
  }

  /** Ends at once and silently (shutdown, peer removed or moved). */
  destroy(): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    clearInterval(this.watchdog);
    this.request.destroy();
  }

  private onResponse(response: IncomingMessage): void {
    if (this.current !== 'connecting') {
      response.resume();
      return;
    }
    if (response.statusCode !== 200) {
      response.resume();
      this.finish({ kind: 'refused', status: response.statusCode ?? 0 });
      this.request.destroy();
      return;
    }
    this.current = 'open';
    const lines = new FrameSplitter(MAX_RESPONSE_LINE_BYTES);
    response.on('data', (chunk: Buffer) => {
      try {
        for (const line of lines.push(chunk)) this.onLine(line.toString('utf8'));
      } catch (error) {
        this.fail((error as Error).message);
      }
    });
    response.on('end', () => {
      const reason = reasonIn(this.lastLine);
      this.fail(`the peer ended the stream${reason ? `: ${reason}` : ''}`);
    });
    response.on('error', (error) => this.fail(error.message));
    this.listener.opened(this);
  }

  private onLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (!isAck(parsed)) {
      this.lastLine = line;
      return;
    }
    // Any acknowledgement shows the peer alive; the clock restarts for what it has not seen yet.
    this.framesAcked = parsed.frames;
    this.unackedSince = this.framesAcked >= this.framesWritten ? null : Date.now();
    if (this.framesAcked > 0 && !this.wasConfirmed) {
      this.wasConfirmed = true;
      this.listener.confirmed(this);
    }
  }

  private check(): void {
    const now = Date.now();
    if (this.current === 'connecting' && now - this.startedAt > CONNECT_TIMEOUT_MS) {
      this.fail(`stream not accepted within ${CONNECT_TIMEOUT_MS} ms`);
    } else if (this.current === 'open') {
      if (this.unackedSince !== null && now - this.unackedSince > ACK_TIMEOUT_MS)
        this.fail(`no acknowledgement for ${ACK_TIMEOUT_MS} ms`);
      else if (this.unackedSince === null && now - this.lastWriteAt > IDLE_CLOSE_MS)
        this.closeIdle();
    }
  }

  /** Ends the request body: the peer answers its last line and closes. */
  private closeIdle(): void {
    this.finish({ kind: 'idle' });
    this.request.end();
    setTimeout(() => this.request.destroy(), CONNECT_TIMEOUT_MS).unref();
  }

  private fail(reason: string): void {
    this.finish({ kind: 'failed', reason });
    this.request.destroy();
  }

  private finish(end: StreamEnd): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    clearInterval(this.watchdog);
    this.listener.ended(this, end);
  }
}
