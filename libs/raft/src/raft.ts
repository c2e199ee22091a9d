import { validateConfig, type RaftConfig } from './config';
import { campaign, handleVoteRequest, stepCandidate, type CampaignKind } from './election';
import { NotLeaderError } from './errors';
import { appendAsLeader, initLeaderProgress, stepLeader, tickLeader } from './leader';
import { Membership } from './membership';
import type { Progress } from './progress';
import { DEFAULT_MAX_BYTES_PER_MESSAGE, RaftLog } from './raft-log';
import { ReadOnlyQueue } from './read-only';
import type { RaftStorage } from './storage';
import type {
  AppendRequest,
  HeartbeatRequest,
  InstallSnapshot,
  Message,
  NodeId,
  ReadState,
  Role,
  Snapshot,
} from './types';

/** A message as built by the core: `from` is filled in, `term` defaults to the current term. */
export type OutgoingMessage = Message extends infer M
  ? M extends Message
    ? Omit<M, 'from' | 'term'> & { term?: number }
    : never
  : never;

/**
 * The Raft state machine proper (etcd-io/raft `raft` struct). Role-specific handling lives in
 * election.ts and leader.ts as functions over this object; `RaftNode` wraps it with the
 * Ready/advance protocol. Not exported from the package.
 */
export class Raft {
  readonly id: NodeId;
  readonly electionTimeout: number;
  readonly heartbeatTimeout: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxEntriesPerMessage: number;
  readonly maxBytesPerMessage: number;
  readonly maxInflight: number;
  readonly storage: RaftStorage;
  readonly log: RaftLog;
  readonly membership: Membership;
  readonly readOnly = new ReadOnlyQueue();
  private readonly random: () => number;

  term: number;
  vote: NodeId | undefined;
  leader: NodeId | undefined = undefined;
  role: Role = 'follower';
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  votes = new Map<NodeId, boolean>();
  progress = new Map<NodeId, Progress>();
  leadTransferee: NodeId | undefined = undefined;
  /** Index of the latest conf entry this leader appended; one change at a time (thesis §4.1). */
  pendingConfIndex = 0;
  /** ReadIndex requests that arrived before this leader committed an entry of its term. */
  readsAwaitingTermCommit: { requestContext: string; requester: NodeId }[] = [];
  messages: Message[] = [];
  readStates: ReadState[] = [];

  constructor(config: RaftConfig) {
    validateConfig(config);
    this.id = config.id;
    this.electionTimeout = config.electionTick;
    this.heartbeatTimeout = config.heartbeatTick;
    this.preVote = config.preVote;
    this.checkQuorum = config.checkQuorum;
    this.maxEntriesPerMessage = config.maxEntriesPerMessage ?? 64;
    this.maxBytesPerMessage = config.maxBytesPerMessage ?? DEFAULT_MAX_BYTES_PER_MESSAGE;
    this.maxInflight = config.maxInflight ?? 256;
    this.storage = config.storage;
    this.random = config.random;

    const hardState = config.storage.hardState();
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.log = new RaftLog(config.storage, config.applied ?? 0);
    const snapshotMeta = config.storage.snapshot().meta;
    this.membership =
      snapshotMeta.index > 0
        ? new Membership(snapshotMeta.index, snapshotMeta.confState.voters)
        : new Membership(0, config.peers);
    const firstIndex = config.storage.firstIndex();
    const lastIndex = config.storage.lastIndex();
    if (lastIndex >= firstIndex) {
      this.membership.onAppend(config.storage.entries(firstIndex, lastIndex + 1));
    }
    this.becomeFollower(this.term, undefined);
  }

  send(message: OutgoingMessage): void {
    this.messages.push({ ...message, from: this.id, term: message.term ?? this.term } as Message);
  }

  /** Only voters may campaign: a removed or not-yet-added server must not disrupt (§4.2.3). */
  promotable(): boolean {
    return this.membership.isVoter(this.id);
  }

  quorum(): number {
    return Math.floor(this.membership.voters().length / 2) + 1;
  }

  hasQuorum(ids: ReadonlySet<NodeId>): boolean {
    return this.membership.voters().filter((id) => ids.has(id)).length >= this.quorum();
  }

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = undefined;
    }
    this.leader = undefined;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    // Randomised timeouts make split votes rare (paper §5.2).
    this.randomizedElectionTimeout =
      this.electionTimeout + Math.floor(this.random() * this.electionTimeout);
    this.leadTransferee = undefined;
    this.votes = new Map();
    this.progress = new Map();
    this.readOnly.clear();
    this.readsAwaitingTermCommit = [];
  }

  becomeFollower(term: number, leader: NodeId | undefined): void {
    this.reset(term);
    this.role = 'follower';
    this.leader = leader;
  }

  /** Pre-candidates do not touch term or vote: that is the point of pre-vote (§9.6). */
  becomePreCandidate(): void {
    this.votes = new Map();
    this.leader = undefined;
    this.role = 'preCandidate';
  }

  becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomeLeader(): void {
    this.reset(this.term);
    this.role = 'leader';
    this.leader = this.id;
    initLeaderProgress(this);
    // Pending conf entries from earlier terms count as in flight until this one commits.
    this.pendingConfIndex = this.log.lastIndex();
    // A leader commits earlier-term entries only by committing one of its own (§5.4.2).
    appendAsLeader(this, 'noop', new Uint8Array(0));
  }

  tick(): void {
    if (this.role === 'leader') {
      tickLeader(this);
      return;
    }
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.startElection();
    }
  }

  startElection(): void {
    if (this.role === 'leader') return;
    const kind: CampaignKind = this.preVote ? 'preElection' : 'election';
    campaign(this, kind);
  }

  startTransferElection(): void {
    campaign(this, 'transfer');
  }

  step(message: Message): void {
    if (message.to !== this.id) return;
    if (message.term > this.term) {
      if (message.type === 'vote' || message.type === 'preVote') {
        // Leader stickiness: while we hear from a leader, ignore candidates (thesis §4.2.3),
        // unless the leader itself handed over (TimeoutNow, §3.10).
        const inLease =
          this.checkQuorum &&
          this.leader !== undefined &&
          this.electionElapsed < this.electionTimeout;
        if (inLease && !message.leadershipTransfer) return;
      }
      const keepsTerm =
        message.type === 'preVote' || (message.type === 'preVoteResp' && !message.reject);
      if (!keepsTerm) {
        const fromLeader =
          message.type === 'append' || message.type === 'heartbeat' || message.type === 'snapshot';
        this.becomeFollower(message.term, fromLeader ? message.from : undefined);
      }
    } else if (message.term < this.term) {
      this.answerStaleMessage(message);
      return;
    }

    if (message.type === 'vote' || message.type === 'preVote') {
      handleVoteRequest(this, message);
      return;
    }
    switch (this.role) {
      case 'leader':
        stepLeader(this, message);
        return;
      case 'candidate':
      case 'preCandidate':
        stepCandidate(this, message);
        return;
      case 'follower':
        this.stepFollower(message);
        return;
    }
  }

  private answerStaleMessage(message: Message): void {
    if (
      (this.checkQuorum || this.preVote) &&
      (message.type === 'append' || message.type === 'heartbeat')
    ) {
      // A leader cut off by a partition never sees a higher term in votes (they are ignored or
      // pre-votes); tell it our term so it steps down (etcd-io/raft does the same).
      this.send({
        type: 'appendResp',
        to: message.from,
        index: 0,
        reject: false,
        rejectHintIndex: 0,
        rejectHintTerm: 0,
      });
    } else if (message.type === 'preVote') {
      this.send({ type: 'preVoteResp', to: message.from, reject: true });
    }
  }

  private stepFollower(message: Message): void {
    switch (message.type) {
      case 'append':
        this.hearFromLeader(message.from);
        this.handleAppend(message);
        return;
      case 'heartbeat':
        this.hearFromLeader(message.from);
        this.handleHeartbeat(message);
        return;
      case 'snapshot':
        this.hearFromLeader(message.from);
        this.handleSnapshot(message);
        return;
      case 'timeoutNow':
        this.startTransferElection();
        return;
      case 'readIndexResp':
        this.readStates.push({ index: message.index, requestContext: message.requestContext });
        return;
      // Answers to requests a follower never sends (late ones from a past leadership or
      // candidacy), a ReadIndex that should have gone to the leader, and votes (step handles them).
      case 'appendResp':
      case 'heartbeatResp':
      case 'readIndex':
      case 'vote':
      case 'voteResp':
      case 'preVote':
      case 'preVoteResp':
        return;
    }
  }

  hearFromLeader(leader: NodeId): void {
    this.electionElapsed = 0;
    this.leader = leader;
  }

  handleAppend(message: AppendRequest): void {
    if (message.prevLogIndex < this.log.committed) {
      this.sendAppendAck(message.from, this.log.committed);
      return;
    }
    const result = this.log.maybeAppend(message.prevLogIndex, message.prevLogTerm, message.entries);
    if (result) {
      this.membership.onAppend(result.appended);
      this.log.commitTo(Math.min(message.commit, result.lastNewIndex));
      this.sendAppendAck(message.from, result.lastNewIndex);
      return;
    }
    const hint = this.log.findConflictByTerm(
      Math.min(message.prevLogIndex, this.log.lastIndex()),
      message.prevLogTerm,
    );
    this.send({
      type: 'appendResp',
      to: message.from,
      index: message.prevLogIndex,
      reject: true,
      rejectHintIndex: hint.index,
      rejectHintTerm: hint.term,
    });
  }

  private sendAppendAck(to: NodeId, index: number): void {
    this.send({
      type: 'appendResp',
      to,
      index,
      reject: false,
      rejectHintIndex: 0,
      rejectHintTerm: 0,
    });
  }

  private handleHeartbeat(message: HeartbeatRequest): void {
    // The leader sends min(our match, its commit), so this never passes our matching prefix.
    this.log.commitTo(message.commit);
    this.send({ type: 'heartbeatResp', to: message.from, readContext: message.readContext });
  }

  private handleSnapshot(message: InstallSnapshot): void {
    if (this.restore(message.snapshot)) {
      this.sendAppendAck(message.from, this.log.lastIndex());
    } else {
      this.sendAppendAck(message.from, this.log.committed);
    }
  }

  /** Returns true if the snapshot replaced the log (paper §7). */
  private restore(snapshot: Snapshot): boolean {
    const { index, term, confState } = snapshot.meta;
    if (index <= this.log.committed) return false;
    if (this.log.matchTerm(index, term)) {
      // We already hold the snapshot's last entry: keep the log, just learn the commit.
      this.log.commitTo(index);
      return false;
    }
    this.log.restore(snapshot);
    this.membership.reset(index, confState.voters);
    return true;
  }

  /** ReadIndex entry point for both local requests and forwarded ones. */
  requestReadIndex(requestContext: string): void {
    if (this.role === 'leader') {
      stepLeader(this, {
        type: 'readIndex',
        from: this.id,
        to: this.id,
        term: this.term,
        requestContext,
      });
      return;
    }
    if (this.leader === undefined) throw new NotLeaderError(this.id, undefined);
    this.send({ type: 'readIndex', to: this.leader, requestContext });
  }
}
