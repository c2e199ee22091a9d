import { OutgoingHttpHeaders } from 'node:http';
import { Logger } from '@nestjs/common';
import { InstallSnapshot, Message } from '@cc/raft';
import { dropOldest, keepNewest, takeBatch } from './message-batch';
import { encodeMessages } from './message-codec';
import { RaftRequests } from './raft-requests';
import { RaftStream, StreamEnd, StreamListener } from './raft-stream';
import {
  RAFT_SNAPSHOT_HEADER,
  RAFT_SNAPSHOT_OFFSET_HEADER,
  RAFT_SNAPSHOT_TOTAL_HEADER,
} from './raft-wire';
import { snapshotChunks } from './snapshot-chunks';

const REQUEST_TIMEOUT_MS = 2_000;
/** For one snapshot chunk (RAFT_SNAPSHOT_CHUNK_BYTES, at most 4 MiB). */
const SNAPSHOT_CHUNK_TIMEOUT_MS = 30_000;
/** For a whole snapshot sent to a peer that takes no chunks. */
const SNAPSHOT_WHOLE_TIMEOUT_MS = 120_000;
const REQUEST_RETRY_MS = 50;
const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 1_000;
/** Messages wait this long for a stream being set up, then take one-shot requests meanwhile. */
const STREAM_PATIENCE_MS = 100;
/** A peer without the stream route (an older node) is offered a stream again this much later. */
const REFUSED_RETRY_MS = 30_000;

export type LinkStreamState = 'open' | 'connecting' | 'closed' | 'refused';

/**
 * Delivery to one peer. Messages go as frames on a long-lived stream, and as one-shot requests
 * while the stream is down (backing off after a failure), refused, or slow to be accepted, so
 * nothing waits on a broken stream. While a stream pushes back, messages wait in a bounded
 * queue that drops the oldest. A snapshot goes in chunks, one request each, in order; one at a
 * time: the same snapshot offered again meanwhile (the leader retries) is not sent twice, a
 * newer one replaces it at the next chunk. A failed transfer is dropped: the leader resends.
 */
export class PeerLink implements StreamListener {
  private readonly logger = new Logger('RaftTransport');
  private readonly streamQueue: Message[] = [];
  private readonly requestQueue: Message[] = [];
  private sendingRequests = false;
  private sendingSnapshot: InstallSnapshot | null = null;
  private nextSnapshot: InstallSnapshot | null = null;
  private stream: RaftStream | null = null;
  private streamRefused = false;
  private streamRetryAt = 0;
  private backoffMs = MIN_BACKOFF_MS;
  private closed = false;
  private error: string | null = null;

  constructor(
    readonly peerId: string,
    private address: string,
    private readonly identity: OutgoingHttpHeaders,
    private readonly requests: RaftRequests,
    private readonly snapshotChunkBytes: number,
  ) {}

  get url(): string {
    return this.address;
  }

  get lastError(): string | null {
    return this.error;
  }

  get queued(): number {
    return this.streamQueue.length + this.requestQueue.length;
  }

  get streamState(): LinkStreamState {
    if (this.stream) return this.stream.state === 'open' ? 'open' : 'connecting';
    return this.streamRefused ? 'refused' : 'closed';
  }

  /** The peer moved: the stream reconnects to the new address with its next message. */
  retarget(url: string): void {
    if (url === this.address) return;
    this.address = url;
    this.stream?.destroy();
    this.stream = null;
    this.streamRefused = false;
    this.streamRetryAt = 0;
    this.backoffMs = MIN_BACKOFF_MS;
  }

  send(messages: readonly Message[]): void {
    if (this.closed) return;
    for (const message of messages) {
      if (message.type === 'snapshot') this.offerSnapshot(message);
      else this.streamQueue.push(message);
    }
    dropOldest(this.streamQueue);
    this.flush();
  }

  close(): void {
    this.closed = true;
    this.stream?.destroy();
    this.stream = null;
    this.streamQueue.length = 0;
    this.requestQueue.length = 0;
    this.nextSnapshot = null;
  }

  opened(stream: RaftStream): void {
    if (stream !== this.stream) return;
    this.streamRefused = false;
    this.flush();
  }

  /** Only a stream that carried frames resets the backoff: a peer may accept and then go silent. */
  confirmed(stream: RaftStream): void {
    if (stream !== this.stream) return;
    this.backoffMs = MIN_BACKOFF_MS;
    this.markReachable();
  }

  drained(stream: RaftStream): void {
    if (stream === this.stream) this.flush();
  }

  ended(stream: RaftStream, end: StreamEnd): void {
    if (stream !== this.stream) return;
    this.stream = null;
    if (end.kind === 'idle') {
      this.streamRetryAt = 0;
    } else if (end.kind === 'refused' && end.status === 404) {
      if (!this.streamRefused)
        this.logger.log(
          { peer: this.peerId },
          'peer takes no raft stream; sending one request per batch',
        );
      this.streamRefused = true;
      this.streamRetryAt = Date.now() + REFUSED_RETRY_MS;
    } else {
      // Other refusals (a bad secret, a node shutting down) are failures like a reset.
      this.markUnreachable(end.kind === 'refused' ? `HTTP ${end.status}` : end.reason);
      this.streamRetryAt = Date.now() + this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    }
    this.flush();
  }

  /** Writes what waits to the stream, or hands it to requests when no stream can take it now. */
  private flush(): void {
    if (this.closed || this.streamQueue.length === 0) return;
    const stream = this.stream ?? this.openStreamIfDue();
    if (stream && (stream.state === 'open' || stream.age < STREAM_PATIENCE_MS)) {
      if (stream.writable) this.writeFrames(stream);
      return; // connecting or pushing back: the queue waits for `opened` or `drained`
    }
    for (const message of this.streamQueue) this.requestQueue.push(message);
    this.streamQueue.length = 0;
    dropOldest(this.requestQueue);
    void this.drainRequests();
  }

  private openStreamIfDue(): RaftStream | null {
    if (Date.now() < this.streamRetryAt) return null;
    this.stream = new RaftStream(this.address, this.identity, this);
    setTimeout(() => this.flush(), STREAM_PATIENCE_MS).unref();
    return this.stream;
  }

  /** Everything queued, in frames of at most a request's worth, in one write. */
  private writeFrames(stream: RaftStream): void {
    let text = '';
    let frames = 0;
    while (this.streamQueue.length > 0) {
      text += `${encodeMessages(takeBatch(this.streamQueue))}\n`;
      frames++;
    }
    stream.write(text, frames);
  }

  /** One request in flight; what queues meanwhile goes together in the next one. */
  private async drainRequests(): Promise<void> {
    if (this.sendingRequests) return;
    this.sendingRequests = true;
    try {
      while (!this.closed && this.requestQueue.length > 0) {
        const batch = takeBatch(this.requestQueue);
        try {
          await this.requests.post(this.address, encodeMessages(batch), REQUEST_TIMEOUT_MS);
          this.markReachable();
        } catch (error) {
          this.markUnreachable((error as Error).message);
          // Raft retransmits what matters; keep only the newest messages for the next attempt.
          keepNewest(this.requestQueue);
          await new Promise((resolve) => setTimeout(resolve, REQUEST_RETRY_MS));
        }
      }
    } finally {
      this.sendingRequests = false;
    }
  }

  private offerSnapshot(message: InstallSnapshot): void {
    if (sameSnapshot(this.sendingSnapshot, message) || sameSnapshot(this.nextSnapshot, message))
      return;
    this.nextSnapshot = message;
    void this.drainSnapshots();
  }

  private async drainSnapshots(): Promise<void> {
    if (this.sendingSnapshot) return;
    try {
      while (!this.closed && this.nextSnapshot) {
        const message = this.nextSnapshot;
        this.nextSnapshot = null;
        this.sendingSnapshot = message;
        try {
          for (const chunk of snapshotChunks(message, this.snapshotChunkBytes)) {
            if (this.closed || this.nextSnapshot) break;
            await this.requests.postSnapshotChunk(
              this.address,
              chunk.data,
              {
                [RAFT_SNAPSHOT_HEADER]: chunk.header,
                [RAFT_SNAPSHOT_OFFSET_HEADER]: chunk.offset,
                [RAFT_SNAPSHOT_TOTAL_HEADER]: chunk.total,
              },
              SNAPSHOT_CHUNK_TIMEOUT_MS,
            );
          }
          this.markReachable();
        } catch (error) {
          if ((error as Error).message === 'HTTP 404') await this.sendWholeSnapshot(message);
          else this.markUnreachable((error as Error).message);
        }
      }
    } finally {
      this.sendingSnapshot = null;
    }
  }

  /** A peer without the snapshot route (an older node, during a rolling upgrade) takes it whole. */
  private async sendWholeSnapshot(message: InstallSnapshot): Promise<void> {
    try {
      await this.requests.post(this.address, encodeMessages([message]), SNAPSHOT_WHOLE_TIMEOUT_MS);
      this.markReachable();
    } catch (error) {
      this.markUnreachable((error as Error).message);
    }
  }

  private markReachable(): void {
    if (this.error !== null) this.logger.log({ peer: this.peerId }, 'peer reachable again');
    this.error = null;
  }

  private markUnreachable(reason: string): void {
    if (this.error === null)
      this.logger.warn({ peer: this.peerId, reason }, 'peer unreachable; dropping its messages');
    this.error = reason;
  }
}

/** The same snapshot, offered again by the same leader (its retry after a lost acknowledgement). */
function sameSnapshot(a: InstallSnapshot | null, b: InstallSnapshot): boolean {
  return (
    a !== null &&
    a.term === b.term &&
    a.snapshot.meta.index === b.snapshot.meta.index &&
    a.snapshot.meta.term === b.snapshot.meta.term
  );
}
