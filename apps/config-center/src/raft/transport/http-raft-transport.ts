import { OutgoingHttpHeaders } from 'node:http';
import { Message } from '@cc/raft';
import { PeerAddress } from '../../env/app-config';
import { PeerLink } from './peer-link';
import { PeerStatus, RaftTransport } from './raft-transport';
import { RaftRequests } from './raft-requests';
import { CLUSTER_SECRET_HEADER, RAFT_FROM_HEADER, RAFT_FROM_URL_HEADER } from './raft-wire';

/**
 * Node-to-node delivery over HTTP: one PeerLink per peer, each with a long-lived stream (a frame
 * per batch), one-shot requests as the fallback, and snapshots in chunks. Messages of one `send`
 * for one peer travel together, which is how AppendEntries get batched.
 */
export class HttpRaftTransport extends RaftTransport {
  private readonly links = new Map<string, PeerLink>();
  private readonly identity: OutgoingHttpHeaders;
  private readonly requests: RaftRequests;
  private closed = false;

  constructor(
    private readonly selfId: string,
    secret: string,
    peers: PeerAddress[],
    selfUrl: string | null,
    private readonly snapshotChunkBytes = 1024 * 1024,
  ) {
    super();
    this.identity = {
      [CLUSTER_SECRET_HEADER]: secret,
      [RAFT_FROM_HEADER]: selfId,
      ...(selfUrl ? { [RAFT_FROM_URL_HEADER]: selfUrl } : {}),
    };
    this.requests = new RaftRequests(this.identity);
    for (const peer of peers) if (peer.id !== selfId) this.addPeer(peer);
  }

  /** Ends every stream and closes pooled connections (shutdown). */
  close(): void {
    this.closed = true;
    for (const link of this.links.values()) link.close();
    this.requests.close();
  }

  knows(id: string): boolean {
    return this.links.has(id);
  }

  addPeer(peer: PeerAddress): void {
    if (peer.id === this.selfId || this.closed) return;
    const link = this.links.get(peer.id);
    if (link) link.retarget(peer.url);
    else
      this.links.set(
        peer.id,
        new PeerLink(peer.id, peer.url, this.identity, this.requests, this.snapshotChunkBytes),
      );
  }

  removePeer(id: string): void {
    this.links.get(id)?.close();
    this.links.delete(id);
  }

  addressOf(id: string): string | undefined {
    return this.links.get(id)?.url;
  }

  send(messages: readonly Message[]): void {
    const byPeer = new Map<PeerLink, Message[]>();
    for (const message of messages) {
      const link = this.links.get(message.to);
      if (!link) continue;
      const batch = byPeer.get(link);
      if (batch) batch.push(message);
      else byPeer.set(link, [message]);
    }
    for (const [link, batch] of byPeer) link.send(batch);
  }

  peers(): PeerStatus[] {
    return [...this.links].map(([id, link]) => ({
      id,
      url: link.url,
      reachable: link.lastError === null,
      last_error: link.lastError,
      queued: link.queued,
      stream: link.streamState,
    }));
  }
}
