import { coalesceMessages } from './coalesce';
import type { RaftConfig } from './config';
import {
  ConfChangeRejectedError,
  InvalidArgumentError,
  LeadershipTransferInProgressError,
  LogCompactedError,
  NotLeaderError,
  RaftInvariantError,
} from './errors';
import { appendAsLeader, sendPendingAppends, transferLeadership } from './leader';
import { encodeConfChange } from './membership';
import { Raft } from './raft';
import type {
  ConfChange,
  HardState,
  Message,
  NodeId,
  Ready,
  Role,
  Snapshot,
  SoftState,
} from './types';

export interface ProposalResult {
  readonly index: number;
  readonly term: number;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly leader: NodeId | undefined;
  readonly term: number;
  readonly vote: NodeId | undefined;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly voters: readonly NodeId[];
  /** On a leader, how far each voter's log is known to match its own; empty elsewhere. */
  readonly matchIndex: Readonly<Record<NodeId, number>>;
}

const encoder = new TextEncoder();

/**
 * One Raft node with no I/O of its own (etcd-io/raft RawNode). Drive it with `tick()` on a
 * clock, `step()` for each received message, the propose/read calls for clients, and the
 * `ready()` / `advance()` loop described on `Ready`. Not reentrant: call it from one task.
 */
export class RaftNode {
  private readonly raft: Raft;
  private lastHardState: HardState;
  private lastSoftState: SoftState;
  private outstandingReady: Ready | undefined;
  /** Proposals were appended since the last Ready: the followers have not been sent them yet. */
  private appendsPending = false;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.lastHardState = config.storage.hardState();
    this.lastSoftState = this.softState();
  }

  get id(): NodeId {
    return this.raft.id;
  }

  status(): RaftStatus {
    const raft = this.raft;
    return {
      id: raft.id,
      role: raft.role,
      leader: raft.leader,
      term: raft.term,
      vote: raft.vote,
      commitIndex: raft.log.committed,
      appliedIndex: raft.log.applied,
      firstIndex: raft.log.firstIndex(),
      lastIndex: raft.log.lastIndex(),
      voters: [...raft.membership.voters()],
      matchIndex:
        raft.role === 'leader'
          ? Object.fromEntries([...raft.progress].map(([id, progress]) => [id, progress.match]))
          : {},
    };
  }

  /** Terms of the entries in [low, high) still in this node's log (for tests and tooling). */
  logTerms(low: number, high: number): number[] {
    return this.raft.log.entries(low, high).map((entry) => entry.term);
  }

  tick(): void {
    this.raft.tick();
  }

  step(message: Message): void {
    this.raft.step(message);
  }

  /** Starts an election now instead of waiting for the timeout (pre-vote first if enabled). */
  campaign(): void {
    this.raft.startElection();
  }

  /** Appends a command to the leader's log. It is committed only once it appears in a Ready. */
  propose(data: Uint8Array | string): ProposalResult {
    this.requireLeaderAcceptingProposals();
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    this.appendsPending = true;
    return appendAsLeader(this.raft, 'normal', bytes, false);
  }

  /** Proposes adding or removing one voter; it takes effect on every node once appended. */
  proposeConfChange(change: ConfChange): ProposalResult {
    this.requireLeaderAcceptingProposals();
    const raft = this.raft;
    if (raft.pendingConfIndex > raft.log.committed) {
      throw new ConfChangeRejectedError('a previous configuration change is not committed yet');
    }
    if (raft.log.term(raft.log.committed) !== raft.term) {
      throw new ConfChangeRejectedError('the leader has not committed an entry of its term yet');
    }
    const voters = raft.membership.voters();
    let next: NodeId[];
    if (change.type === 'add') {
      if (voters.includes(change.nodeId)) {
        throw new ConfChangeRejectedError(`${change.nodeId} is already a voter`);
      }
      next = [...voters, change.nodeId];
    } else {
      if (!voters.includes(change.nodeId)) {
        throw new ConfChangeRejectedError(`${change.nodeId} is not a voter`);
      }
      if (voters.length === 1) throw new ConfChangeRejectedError('cannot remove the last voter');
      next = voters.filter((id) => id !== change.nodeId);
    }
    const result = appendAsLeader(raft, 'conf', encodeConfChange({ change, voters: next }));
    raft.pendingConfIndex = result.index;
    return result;
  }

  /**
   * Linearizable read (thesis §6.4): a ReadState with this context appears in a later Ready;
   * serve the read once the applied index reaches it. Contexts must be unique per request.
   * Requests are dropped, not failed, if leadership changes meanwhile: callers time out.
   */
  readIndex(requestContext: string): void {
    this.raft.requestReadIndex(requestContext);
  }

  /** Hands leadership to an up-to-date voter (thesis §3.10). */
  transferLeadership(to: NodeId): void {
    if (this.raft.role !== 'leader') throw new NotLeaderError(this.raft.id, this.raft.leader);
    if (!this.raft.membership.isVoter(to)) {
      throw new InvalidArgumentError(`${to} is not a voter`);
    }
    transferLeadership(this.raft, to);
  }

  /**
   * Describes a snapshot of the applied state at `index` (<= applied). The caller stores it and
   * drops the log up to `index` (MemoryStorage.compact does both); a follower that later needs
   * those entries is sent this snapshot instead (paper §7).
   */
  compact(index: number, snapshotData: Uint8Array): Snapshot {
    const log = this.raft.log;
    if (index > log.applied) {
      throw new InvalidArgumentError(`cannot compact at ${index}: applied is ${log.applied}`);
    }
    if (index < log.firstIndex()) throw new LogCompactedError(index);
    const snapshot: Snapshot = {
      meta: {
        index,
        term: log.termOrThrow(index),
        confState: { voters: [...this.raft.membership.votersAt(index)] },
      },
      data: snapshotData,
    };
    this.raft.membership.compactTo(index);
    return snapshot;
  }

  hasReady(): boolean {
    const raft = this.raft;
    return (
      this.appendsPending ||
      raft.messages.length > 0 ||
      raft.readStates.length > 0 ||
      raft.log.hasUnstable() ||
      raft.log.hasEntriesToApply() ||
      !sameHardState(this.hardState(), this.lastHardState) ||
      !sameSoftState(this.softState(), this.lastSoftState)
    );
  }

  ready(): Ready {
    if (this.outstandingReady) {
      throw new RaftInvariantError('advance() the previous Ready before asking for another');
    }
    const raft = this.raft;
    if (this.appendsPending) {
      this.appendsPending = false;
      if (raft.role === 'leader') sendPendingAppends(raft);
    }
    const hardState = this.hardState();
    const softState = this.softState();
    const ready: Ready = {
      softState: sameSoftState(softState, this.lastSoftState) ? undefined : softState,
      hardState: sameHardState(hardState, this.lastHardState) ? undefined : hardState,
      entries: raft.log.pendingEntries(),
      snapshot: raft.log.pendingSnapshot(),
      committedEntries: raft.log.hasEntriesToApply() ? raft.log.entriesToApply() : [],
      messages: coalesceMessages(raft.messages, raft.maxEntriesPerMessage, raft.maxBytesPerMessage),
      readStates: raft.readStates,
    };
    raft.messages = [];
    raft.readStates = [];
    this.outstandingReady = ready;
    return ready;
  }

  /** Tells the node the Ready was processed as its contract says. */
  advance(ready: Ready): void {
    if (ready !== this.outstandingReady) {
      throw new RaftInvariantError('advance() must be given the last Ready');
    }
    this.outstandingReady = undefined;
    const log = this.raft.log;
    if (ready.softState) this.lastSoftState = ready.softState;
    if (ready.hardState) this.lastHardState = ready.hardState;
    if (ready.snapshot) {
      log.stableSnapshotTo(ready.snapshot.meta.index);
      log.appliedTo(ready.snapshot.meta.index);
    }
    const lastEntry = ready.entries.at(-1);
    if (lastEntry) log.stableTo(lastEntry.index, lastEntry.term);
    const lastApplied = ready.committedEntries.at(-1);
    if (lastApplied) log.appliedTo(lastApplied.index);
  }

  private requireLeaderAcceptingProposals(): void {
    const raft = this.raft;
    if (raft.role !== 'leader') throw new NotLeaderError(raft.id, raft.leader);
    if (raft.leadTransferee !== undefined) {
      throw new LeadershipTransferInProgressError(raft.leadTransferee);
    }
  }

  private hardState(): HardState {
    return { term: this.raft.term, vote: this.raft.vote, commit: this.raft.log.committed };
  }

  private softState(): SoftState {
    return { role: this.raft.role, leader: this.raft.leader };
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leader === b.leader;
}
