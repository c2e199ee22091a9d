import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode, NotLeader, ServiceUnavailable } from '@cc/common';
import {
  ConfChange,
  LeadershipTransferInProgressError,
  Message,
  NotLeaderError,
  RaftStatus,
} from '@cc/raft';
import { CallContext } from '@cc/resource';
import { SqlTransactions } from '../../database/sql-writer';
import { CommitInDoubt, DatabaseUnreachable, isConnectionLoss } from '../../database/write-path';
import { APP_CONFIG, AppConfig } from '../../env/app-config';
import { Applier } from '../../state/applier';
import { AppliedBatch, CommandLog, withinProposalTimeout } from '../../state/command-log';
import { Command, CommandOutcome, encodeProposal } from '../../state/commands';
import { CompactionStats } from '../storage/log-compaction';
import { RaftLogStore } from '../storage/raft-log-store';
import { ForwardProposalResource } from '../transport/forward-proposal.resource';
import { ProposalForwarder } from '../transport/proposal-forwarder';
import { PeerStatus, RaftTransport } from '../transport/raft-transport';
import { RaftTimings, ReadyLoop } from './ready-loop';
import { mostCaughtUpVoter } from './successor';

/** The resource name forwarded proposals carry in their call chain. */
const FORWARD_RESOURCE = ForwardProposalResource.name;

/** `error.details.outcome` of one of our errors: 'not_applied', 'unknown', or undefined. */
function outcomeOf(error: AppError): unknown {
  const details = error.details;
  return typeof details === 'object' && details !== null
    ? Reflect.get(details, 'outcome')
    : undefined;
}

/** A forward that provably did not apply: refused by a node that no longer leads, or not sent. */
function isNotApplied(error: unknown): boolean {
  if (!(error instanceof AppError)) return false;
  if (error.code === ErrorCode.NOT_LEADER) return true;
  return error.code === ErrorCode.UNAVAILABLE && outcomeOf(error) === 'not_applied';
}

function isOutcomeUnknown(error: unknown): boolean {
  return (
    error instanceof AppError &&
    error.code === ErrorCode.RAFT_FAILED &&
    outcomeOf(error) === 'unknown'
  );
}

/** sysexits EX_TEMPFAIL: the storage failed; a supervisor restarts the node. */
const EXIT_STORAGE_FAILED = 75;
const RESUME_RETRY_MS = 1_000;

/** The database went away (DESIGN 23), as opposed to a storage bug: the node waits for it. */
function isDatabaseOutage(error: unknown): boolean {
  return (
    error instanceof DatabaseUnreachable ||
    error instanceof CommitInDoubt ||
    isConnectionLoss(error)
  );
}

/**
 * The replicated log (DESIGN 2, 4), a CommandLog provider: a Ready loop over the log store,
 * transport and applier ports, a clock that ticks it, ReadIndex for linearizable reads, and
 * forwarding of a follower's writes to the leader.
 */
@Injectable()
export class RaftCommandLog extends CommandLog implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RaftLog');
  private readonly loop: ReadyLoop;
  private ticker?: NodeJS.Timeout;
  private resumeAttempt?: Promise<unknown>;

  constructor(
    private readonly store: RaftLogStore,
    private readonly transport: RaftTransport,
    private readonly applier: Applier,
    private readonly transactions: SqlTransactions,
    private readonly forwarder: ProposalForwarder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
    const cluster = config.cluster;
    this.loop = new ReadyLoop(
      { store, transport, applier, run: (work) => transactions.run(work) },
      {
        nodeId: config.nodeId,
        voters: cluster.join ? [] : cluster.peers.map((peer) => peer.id),
        electionTicks: cluster.electionTicks,
        heartbeatTicks: cluster.heartbeatTicks,
        maxAppendBytes: cluster.maxAppendBytes,
        snapshotEntries: cluster.snapshotEntries,
        random: Math.random,
        now: () => performance.now(),
        onFatal: () => {
          clearInterval(this.ticker);
          setTimeout(() => process.exit(EXIT_STORAGE_FAILED), 100).unref();
        },
        recoverable: isDatabaseOutage,
        unavailable: () => transactions.writePath.unavailable(),
        // Back already (a probe got through before the loop noticed): resume at once.
        onSuspended: () => {
          if (transactions.writePath.available) this.resumeSoon(0);
        },
      },
    );
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.store.load(), this.applier.load()]);
    this.transactions.writePath.onRecovered(() => this.resumeSoon(0));
    this.loop.start();
    this.ticker = setInterval(() => this.loop.tick(), this.config.cluster.tickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.ticker);
    this.loop.stop();
    await this.transactions.close();
  }

  /**
   * Proposes here when leader, else forwards to the leader (or answers 50302). While no leader
   * is known (an election, a leader handing over as it stops), the write waits up to two
   * election timeouts for one instead of failing at once (issue 16).
   */
  async propose(command: Command, context?: CallContext): Promise<CommandOutcome> {
    const data = encodeProposal(command);
    const holdUntil = Date.now() + 2 * this.electionTimeoutMs;
    // A proposal another node forwarded here is never forwarded again: its sender retries.
    const forwarded = context?.chain.some((entry) => entry.resource === FORWARD_RESOURCE) ?? false;
    for (;;) {
      try {
        return await withinProposalTimeout(this.loop.propose(data), this.config.proposalTimeoutMs);
      } catch (error) {
        if (!(
          error instanceof NotLeaderError || error instanceof LeadershipTransferInProgressError
        ))
          throw error;
      }
      const leader = this.leaderAddress();
      // No leader yet, or this node is handing its leadership over: wait for the next one.
      if ((leader === undefined || leader.id === this.config.nodeId) && Date.now() < holdUntil) {
        await this.nextLeader(holdUntil);
        continue;
      }
      if (forwarded || !this.config.cluster.forwardWrites || !leader?.address)
        throw new NotLeader(leader);
      try {
        return await this.forwarder.forward(
          command,
          leader.address,
          context ?? { requestId: `forward-${Date.now()}`, nodeId: this.config.nodeId, chain: [] },
        );
      } catch (error) {
        // Not applied (the leader moved on, or its port is closed as it stops): once more, to
        // whoever leads next, while the hold lasts. So too a write under an Idempotency-Key
        // whose outcome is unknown (a stopping leader closed the connection it came on): the
        // state machine answers a repeat with the first outcome, so sending it again is safe.
        const retriable =
          isNotApplied(error) || (isOutcomeUnknown(error) && command.idempotency !== undefined);
        if (!retriable || Date.now() >= holdUntil) throw error;
        await this.nextLeader(holdUntil);
      }
    }
  }

  /**
   * Rebuilds the suspended loop from the database; tries again while the database flaps. One
   * attempt at a time: a recovery reported while one waits or runs is left to it (its retry).
   */
  private resumeSoon(delayMs: number): void {
    if (this.resumeAttempt) return;
    this.resumeAttempt = new Promise<void>((resolve) => setTimeout(resolve, delayMs).unref())
      .then(() => (this.loop.isSuspended ? this.loop.resume() : undefined))
      .then(
        () => (this.resumeAttempt = undefined),
        (error: unknown) => {
          this.resumeAttempt = undefined;
          this.logger.warn({ err: error }, 'raft could not resume yet; trying again');
          this.resumeSoon(RESUME_RETRY_MS);
        },
      );
  }

  /** Resolves at the next leader change, or after a short pause (at most until `holdUntil`). */
  private async nextLeader(holdUntil: number): Promise<void> {
    await this.loop.waiters.untilAnyLeader(
      undefined,
      Math.max(1, Math.min(50, holdUntil - Date.now())),
    );
  }

  /**
   * A planned stop (issue 16): hands leadership to the voter whose log is furthest along, and
   * resolves once it leads, or after `timeoutMs` (the caller stops anyway). A follower has
   * nothing to hand over.
   */
  async handOverLeadership(timeoutMs: number): Promise<string | undefined> {
    const status = this.loop.status();
    if (status.role !== 'leader') return undefined;
    const target = mostCaughtUpVoter(status);
    if (target === undefined) return undefined;
    try {
      this.loop.transferLeadership(target);
    } catch {
      return undefined;
    }
    return (await this.untilLeader(target, timeoutMs)) ? target : undefined;
  }

  private get electionTimeoutMs(): number {
    return this.config.cluster.electionTicks * this.config.cluster.tickMs;
  }

  onApplied(listener: (batch: AppliedBatch) => void): void {
    this.applier.onApplied(listener);
  }

  /** ReadIndex (thesis 6.4): resolves once this node has applied everything committed before the call. */
  async readBarrier(timeoutMs: number): Promise<void> {
    const context = randomUUID();
    let readIndex: Promise<number>;
    try {
      readIndex = this.loop.readIndex(context);
    } catch (error) {
      // No leader known (an election, or cut off from the quorum): say so, never read stale.
      if (error instanceof NotLeaderError) throw new NotLeader(this.leaderAddress());
      throw error;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.loop.waiters.cancelRead(context);
        reject(
          new ServiceUnavailable(
            'linearizable read not confirmed by a quorum in time (no leader reachable?)',
            { consistency: 'linearizable' },
          ),
        );
      }, timeoutMs);
    });
    try {
      const index = await Promise.race([readIndex, timeout]);
      await Promise.race([this.loop.untilApplied(index), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  untilApplied(index: number): Promise<void> {
    return this.loop.untilApplied(index);
  }

  override leads(): boolean {
    return this.loop.status().role === 'leader';
  }

  // The operator API (raft/operator) and the node-to-node routes (raft/inbound).

  status(): RaftStatus {
    return this.loop.status();
  }

  /** Waiting for its database: out of the election, writes refused, reads from memory. */
  get suspended(): boolean {
    return this.loop.isSuspended;
  }

  get stats(): { leaderChanges: number; proposalsDropped: number } {
    return { leaderChanges: this.loop.leaderChanges, proposalsDropped: this.loop.waiters.dropped };
  }

  get compactionStats(): CompactionStats {
    return this.loop.compactionStats;
  }

  set timings(timings: RaftTimings | undefined) {
    this.loop.timings = timings;
  }

  get peers(): PeerStatus[] {
    return this.transport.peers();
  }

  step(messages: readonly Message[]): void {
    this.loop.step(messages);
  }

  /**
   * A member added after this node started is reached at the address its own messages
   * announce. Configured addresses win: they may route through a proxy on purpose.
   */
  learnPeer(peer: { id: string; url: string }): void {
    if (!this.transport.knows(peer.id)) this.transport.addPeer(peer);
  }

  addPeerAddress(peer: { id: string; url: string }): void {
    this.transport.addPeer(peer);
  }

  leaderAddress(): { id: string; address?: string } | undefined {
    const leader = this.loop.status().leader;
    if (leader === undefined) return undefined;
    return {
      id: leader,
      address: leader === this.config.nodeId ? undefined : this.transport.addressOf(leader),
    };
  }

  proposeConfChange(change: ConfChange): number {
    return this.loop.proposeConfChange(change);
  }

  transferLeadership(to: string): void {
    this.loop.transferLeadership(to);
  }

  /** True once this node follows `id` as its leader (or is it), false after `timeoutMs`. */
  untilLeader(id: string, timeoutMs: number): Promise<boolean> {
    return this.loop.waiters.untilLeader(id, this.loop.status().leader, timeoutMs);
  }
}
