import { Message } from '@cc/raft';
import { PeerAddress } from '../../env/app-config';

/** What an operator sees of one peer link (GET /api/v1/cluster/members, metrics). */
export interface PeerStatus {
  id: string;
  url: string;
  reachable: boolean;
  last_error: string | null;
  queued: number;
  stream: string;
}

/**
 * The transport port of the Raft log: delivers the core's messages to peers, best effort (Raft
 * tolerates loss, duplication and reordering). Over HTTP between nodes; in a test, a simulated
 * network that can drop and partition.
 */
export abstract class RaftTransport {
  abstract send(messages: readonly Message[]): void;
  /** Ends every link (shutdown); later sends go nowhere. */
  abstract close(): void;
  abstract knows(id: string): boolean;
  abstract addPeer(peer: PeerAddress): void;
  abstract removePeer(id: string): void;
  abstract addressOf(id: string): string | undefined;
  abstract peers(): PeerStatus[];
}
