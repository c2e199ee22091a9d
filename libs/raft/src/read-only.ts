import type { NodeId } from './types';

/** A ReadIndex request waiting for a heartbeat round to confirm this node is still leader. */
export interface PendingRead {
  readonly requestContext: string;
  /** Commit index when the request arrived: the read must reflect at least this. */
  readonly index: number;
  /** Node that asked: this node for a local request, or a follower that forwarded it. */
  readonly requester: NodeId;
  readonly acknowledgedBy: Set<NodeId>;
}

/**
 * ReadIndex bookkeeping (thesis §6.4, etcd-io/raft read_only.go). Requests are confirmed in
 * arrival order: a quorum acknowledging a later heartbeat round also proves leadership at the
 * time of every earlier request, so they are released together.
 */
export class ReadOnlyQueue {
  private pending: PendingRead[] = [];

  add(requestContext: string, index: number, requester: NodeId, self: NodeId): void {
    if (this.pending.some((read) => read.requestContext === requestContext)) return;
    this.pending.push({ requestContext, index, requester, acknowledgedBy: new Set([self]) });
  }

  /** Records an acknowledgement; returns who has acknowledged that request, if it is pending. */
  acknowledge(requestContext: string, from: NodeId): ReadonlySet<NodeId> | undefined {
    const read = this.pending.find((candidate) => candidate.requestContext === requestContext);
    if (!read) return undefined;
    read.acknowledgedBy.add(from);
    return read.acknowledgedBy;
  }

  /** Removes and returns `requestContext` and every request queued before it. */
  releaseUpTo(requestContext: string): PendingRead[] {
    const position = this.pending.findIndex((read) => read.requestContext === requestContext);
    if (position < 0) return [];
    const released = this.pending.slice(0, position + 1);
    this.pending = this.pending.slice(position + 1);
    return released;
  }

  lastContext(): string | undefined {
    return this.pending.at(-1)?.requestContext;
  }

  clear(): void {
    this.pending = [];
  }
}
