/**
 * The leader's view of one follower's log (etcd-io/raft tracker.Progress):
 * - probe: we do not know where the logs diverge; send one append per heartbeat interval and
 *   back off on rejection;
 * - replicate: the follower is in sync; stream appends optimistically (pipelining), at most
 *   `maxInflight` unacknowledged messages;
 * - snapshot: the entries it needs are compacted; wait for the snapshot to be installed.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  state: ProgressState = 'probe';
  match = 0;
  next: number;
  /** In probe state: an append is outstanding, do not send another until a response or tick. */
  probeSent = false;
  /** Index of the snapshot being sent, while in snapshot state. */
  pendingSnapshot = 0;
  /** Ticks spent waiting for the snapshot; a lost snapshot is retried after an election timeout. */
  snapshotWaitTicks = 0;
  /** Heard from since the last CheckQuorum round (§6.2). */
  recentActive = false;
  /** Last index of each unacknowledged append, oldest first. */
  private inflight: number[] = [];

  constructor(
    next: number,
    private readonly maxInflight: number,
  ) {
    this.next = next;
  }

  becomeProbe(): void {
    // Leaving snapshot state we know the follower has at least the snapshot.
    const afterSnapshot = this.state === 'snapshot' ? this.pendingSnapshot + 1 : 0;
    this.resetState('probe');
    this.next = Math.max(this.match + 1, afterSnapshot);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotWaitTicks = 0;
    this.inflight = [];
  }

  /** An acknowledgement up to `index` arrived; returns false if it was stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * The follower rejected an append at `rejected`; `matchHint` is the highest index that may
   * still match. Returns false for a stale rejection (one of an earlier, already handled round).
   */
  maybeDecreaseTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Record that entries up to `lastIndex` were sent (or just a probe when none). */
  sentEntries(entryCount: number, lastIndex: number): void {
    if (this.state === 'replicate') {
      if (entryCount > 0) {
        this.next = lastIndex + 1;
        this.inflight.push(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /** Acknowledged appends free their inflight slots. */
  freeInflightUpTo(index: number): void {
    let freed = 0;
    while (freed < this.inflight.length && this.inflight[freed] <= index) freed++;
    if (freed > 0) this.inflight = this.inflight.slice(freed);
  }

  /**
   * A heartbeat response proves the follower is alive even if appends were lost; free one slot
   * so a full window cannot stall replication forever (etcd does the same).
   */
  freeFirstInflight(): void {
    this.inflight.shift();
  }

  inflightFull(): boolean {
    return this.inflight.length >= this.maxInflight;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflightFull();
      case 'snapshot':
        return true;
    }
  }
}
