import http from 'node:http';
import { Logger } from '@nestjs/common';
import { Message } from '@cc/raft';
import { PeerAddress } from '../env/app-config';
import { encodeMessages } from './message-codec';
import {
  CLUSTER_SECRET_HEADER,
  RAFT_FROM_HEADER,
  RAFT_FROM_URL_HEADER,
  RAFT_MESSAGES_PATH,
} from './raft-wire';

/** Beyond this many queued messages a peer is not keeping up: drop the oldest (Raft tolerates loss). */
const MAX_QUEUED = 10_000;
const MESSAGES_PER_REQUEST = 512;
/** Keeps a request well below the messages route's body limit (base64 grows payloads by 4/3). */
const BYTES_PER_REQUEST = 16 * 1024 * 1024;

function payloadBytes(message: Message): number {
  if (message.type === 'append')
    return message.entries.reduce((sum, entry) => sum + entry.data.length, 256);
  if (message.type === 'snapshot') return message.snapshot.data.length + 256;
  return 256;
}

/** How many queued messages go in the next request: at least one, then up to the byte budget. */
function messagesThatFit(queue: readonly Message[]): number {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < MESSAGES_PER_REQUEST) {
    bytes += Math.ceil((payloadBytes(queue[count]) * 4) / 3);
    if (count > 0 && bytes > BYTES_PER_REQUEST) break;
    count++;
  }
  return count;
}
const REQUEST_TIMEOUT_MS = 2_000;
const SNAPSHOT_TIMEOUT_MS = 30_000;

interface PeerLink {
  url: string;
  queue: Message[];
  sending: boolean;
  lastError: string | null;
}

/**
 * Node-to-node delivery over HTTP (keep-alive connections of Node's fetch). One request in
 * flight per peer; messages queued meanwhile go out together in the next one, which is how
 * AppendEntries get batched and pipelined without a socket per message.
 */
export class RaftTransport {
  private readonly logger = new Logger('RaftTransport');
  private readonly links = new Map<string, PeerLink>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(
    private readonly selfId: string,
    private readonly secret: string,
    peers: PeerAddress[],
    private readonly selfUrl: string | null,
  ) {
    for (const peer of peers) if (peer.id !== selfId) this.addPeer(peer);
  }

  /** Closes pooled connections (shutdown). */
  close(): void {
    this.agent.destroy();
  }

  knows(id: string): boolean {
    return this.links.has(id);
  }

  addPeer(peer: PeerAddress): void {
    if (peer.id === this.selfId) return;
    const link = this.links.get(peer.id);
    if (link) link.url = peer.url;
    else
      this.links.set(peer.id, {
        url: peer.url,
        queue: [],
        sending: false,
        lastError: null,
      });
  }

  removePeer(id: string): void {
    this.links.delete(id);
  }

  addressOf(id: string): string | undefined {
    return this.links.get(id)?.url;
  }

  send(messages: readonly Message[]): void {
    for (const message of messages) {
      const link = this.links.get(message.to);
      if (!link) continue;
      link.queue.push(message);
      if (link.queue.length > MAX_QUEUED) link.queue.splice(0, link.queue.length - MAX_QUEUED);
      if (!link.sending) void this.drain(message.to, link);
    }
  }

  peers(): Array<{
    id: string;
    url: string;
    reachable: boolean;
    last_error: string | null;
    queued: number;
  }> {
    return [...this.links].map(([id, link]) => ({
      id,
      url: link.url,
      reachable: link.lastError === null,
      last_error: link.lastError,
      queued: link.queue.length,
    }));
  }

  private async drain(peerId: string, link: PeerLink): Promise<void> {
    link.sending = true;
    try {
      while (link.queue.length > 0 && this.links.get(peerId) === link) {
        const batch = link.queue.splice(0, messagesThatFit(link.queue));
        const hasSnapshot = batch.some((message) => message.type === 'snapshot');
        try {
          await this.post(
            link.url,
            encodeMessages(batch),
            hasSnapshot ? SNAPSHOT_TIMEOUT_MS : REQUEST_TIMEOUT_MS,
          );
          if (link.lastError !== null) this.logger.log({ peer: peerId }, 'peer reachable again');
          link.lastError = null;
        } catch (error) {
          const reason = (error as Error).message;
          if (link.lastError === null)
            this.logger.warn({ peer: peerId, reason }, 'peer unreachable; dropping its messages');
          link.lastError = reason;
          // Raft retransmits what matters; keep only the newest messages for the next attempt.
          link.queue.splice(0, Math.max(0, link.queue.length - MESSAGES_PER_REQUEST));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    } finally {
      link.sending = false;
    }
  }

  /** One POST on a pooled keep-alive connection (node:http: cheaper per call than fetch). */
  private post(baseUrl: string, body: string, timeoutMs: number): Promise<void> {
    const target = new URL(RAFT_MESSAGES_PATH, baseUrl);
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent: this.agent,
          timeout: timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            [CLUSTER_SECRET_HEADER]: this.secret,
            [RAFT_FROM_HEADER]: this.selfId,
            ...(this.selfUrl ? { [RAFT_FROM_URL_HEADER]: this.selfUrl } : {}),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 200
              ? resolve()
              : reject(new Error(`HTTP ${response.statusCode}`)),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }
}
