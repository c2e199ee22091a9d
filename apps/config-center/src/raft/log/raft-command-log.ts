import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode, NotLeader, OutcomeUnknown, ServiceUnavailable } from '@cc/common';
import { ConfChange, Entry, Message, NotLeaderError, RaftNode, RaftStatus, Ready } from '@cc/raft';
import { SqlTransactions, SqlWriter } from '../../database/sql-writer';
import { ClusterSettings } from '../../env/app-config';
import { AppliedBatch, CommandLog } from '../../state/command-log';
import { CommandOutcome, decodeCommand, encodeProposal, Command } from '../../state/commands';
import { loadState } from '../../state/state-loader';
import { StateMachine } from '../../state/state-machine';
import { StateView, ViewOverlay } from '../../state/state-view';
import { SqlStateTransaction } from '../../state/sql-state-transaction';
import { DurableRaftStorage } from '../storage/durable-raft-storage';
import { RaftTransport } from '../transport/http-raft-transport';
import { CompactionStats, LogCompaction } from '../storage/log-compaction';
import { restoreState } from '../../state/state-snapshot';

export interface RaftTimings {
  /** A proposal made here, from propose() to its outcome. */
  committed(milliseconds: number): void;
  /** A Ready's transaction that applied committed entries (with the entries it stored). */
  applied(milliseconds: number): void;
}

interface ProposalWaiter {
  term: number;
  proposedAt: number;
  resolve: (outcome: CommandOutcome) => void;
  reject: (error: Error) => void;
}

interface ReadWaiter {
  resolve: (index: number) => void;
  reject: (error: Error) => void;
}

const NO_READS: ReadonlySet<string> = new Set();

/** A proposal whose log slot went to another leader's entry: it was NOT applied; retrying is safe. */
export class ProposalDropped extends AppError {
  constructor(index: number) {
    super(
      ErrorCode.RAFT_FAILED,
      `the write was not committed: leadership changed before entry ${index} committed; retry it`,
      {
        outcome: 'not_applied',
      },
    );
  }
}

/**
 * The replicated log (DESIGN 2, 4): drives the pure core in libs/raft with a clock, the
 * database (DurableRaftStorage) and HTTP (RaftTransport), and applies committed entries with
 * the same StateMachine the single-node log uses.
 */
export class RaftCommandLog extends CommandLog {
  private readonly logger = new Logger('Raft');
  private readonly listeners: Array<(batch: AppliedBatch) => void> = [];
  private readonly waiters = new Map<number, ProposalWaiter>();
  private readonly readWaiters = new Map<string, ReadWaiter>();
  private appliedWaiters: Array<{ index: number; resolve: () => void }> = [];
  private node!: RaftNode;
  private ticker?: NodeJS.Timeout;
  private processing = false;
  private again = false;
  private stopped = false;
  private appliedIndex = 0;
  private compaction!: LogCompaction;
  private knownLeader?: string;
  private leaderWaiters: Array<{ id: string; resolve: () => void }> = [];
  /** Set by RaftMetrics: spec 3.7.4's raft_commit_duration and raft_apply_duration. */
  timings?: RaftTimings;
  /** Counters for /api/v1/metrics (raft-metrics.ts), read at scrape time. */
  readonly stats = {
    leaderChanges: 0,
    proposalsDropped: 0,
  };

  constructor(
    private readonly nodeId: string,
    private readonly settings: ClusterSettings,
    private readonly dataSource: DataSource,
    private readonly transactions: SqlTransactions,
    private readonly storage: DurableRaftStorage,
    private readonly transport: RaftTransport,
    private readonly stateMachine: StateMachine,
    private readonly view: StateView,
  ) {
    super();
  }

  start(): void {
    this.appliedIndex = this.storage.applied;
    this.node = new RaftNode({
      id: this.nodeId,
      peers: this.settings.join ? [] : this.settings.peers.map((peer) => peer.id),
      electionTick: this.settings.electionTicks,
      heartbeatTick: this.settings.heartbeatTicks,
      storage: this.storage,
      random: Math.random,
      preVote: true,
      checkQuorum: true,
      // One append holds RAFT_MAX_APPEND_BYTES of entries, or one larger entry alone: a batch
      // of them stays under the messages route's body limit (raft-wire.ts).
      maxEntriesPerMessage: 64,
      maxBytesPerMessage: this.settings.maxAppendBytes,
      maxInflight: 64,
      applied: this.appliedIndex,
    });
    this.compaction = new LogCompaction(
      this.settings.snapshotEntries,
      () => this.node,
      this.storage,
      this.transactions,
      this.dataSource,
      () => this.schedule(),
    );
    this.ticker = setInterval(() => {
      this.node.tick();
      this.schedule();
    }, this.settings.tickMs);
    // A cluster of one elects itself at once instead of waiting for a timeout.
    if (this.node.status().voters.length === 1 && this.node.status().voters[0] === this.nodeId)
      this.node.campaign();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    this.transport.close();
  }

  get compactionStats(): CompactionStats {
    return this.compaction.stats;
  }

  status(): RaftStatus {
    return this.node.status();
  }

  get peers() {
    return this.transport.peers();
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
    const leader = this.node.status().leader;
    if (leader === undefined) return undefined;
    return {
      id: leader,
      address: leader === this.nodeId ? undefined : this.transport.addressOf(leader),
    };
  }

  onApplied(listener: (batch: AppliedBatch) => void): void {
    this.listeners.push(listener);
  }

  step(messages: Message[]): void {
    for (const message of messages) {
      try {
        this.node.step(message);
      } catch (error) {
        this.logger.warn(
          { err: error, type: message.type, from: message.from },
          'message refused by the core',
        );
      }
    }
    this.schedule();
  }

  /** Throws NotLeaderError on a follower: the caller forwards or answers 50302. */
  propose(command: Command): Promise<CommandOutcome> {
    const { index, term } = this.node.propose(encodeProposal(command));
    // A re-elected leader may reuse an index its truncated log gave out before: that proposal lost.
    const lost = this.waiters.get(index);
    if (lost) this.dropped(lost, index);
    const promise = new Promise<CommandOutcome>((resolve, reject) =>
      this.waiters.set(index, { term, proposedAt: performance.now(), resolve, reject }),
    );
    this.schedule();
    return promise;
  }

  proposeConfChange(change: ConfChange): number {
    const { index } = this.node.proposeConfChange(change);
    this.schedule();
    return index;
  }

  transferLeadership(to: string): void {
    this.node.transferLeadership(to);
    this.schedule();
  }

  /** ReadIndex (thesis 6.4): resolves once this node has applied everything committed before the call. */
  async readBarrier(timeoutMs: number): Promise<number> {
    const context = randomUUID();
    try {
      this.node.readIndex(context);
    } catch (error) {
      // No leader known (an election, or cut off from the quorum): say so, never read stale.
      if (error instanceof NotLeaderError) throw new NotLeader(this.leaderAddress());
      throw error;
    }
    const readIndex = new Promise<number>((resolve, reject) =>
      this.readWaiters.set(context, { resolve, reject }),
    );
    this.schedule();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.readWaiters.delete(context);
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
      await Promise.race([this.waitApplied(index), timeout]);
      return index;
    } finally {
      clearTimeout(timer);
    }
  }

  /** True once this node follows `id` as its leader (or is it), false after `timeoutMs`. */
  untilLeader(id: string, timeoutMs: number): Promise<boolean> {
    if (this.node.status().leader === id) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        id,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.leaderWaiters = this.leaderWaiters.filter((other) => other !== waiter);
        resolve(false);
      }, timeoutMs);
      this.leaderWaiters.push(waiter);
    });
  }

  /** Resolves once this node has applied `index`. */
  untilApplied(index: number): Promise<void> {
    return this.waitApplied(index);
  }

  private waitApplied(index: number): Promise<void> {
    if (this.appliedIndex >= index) return Promise.resolve();
    return new Promise((resolve) => this.appliedWaiters.push({ index, resolve }));
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.processing) {
      this.again = true;
      return;
    }
    this.processing = true;
    setImmediate(() => void this.processReadies());
  }

  private async processReadies(): Promise<void> {
    try {
      while (!this.stopped) {
        await this.compaction.betweenReadies();
        if (!this.node.hasReady()) {
          if (this.compaction.pending) continue;
          break;
        }
        const ready = this.node.ready();
        await this.handle(ready);
        this.node.advance(ready);
        await this.compaction.afterReady(this.appliedIndex);
      }
    } catch (error) {
      // DESIGN 19: a node that cannot persist must not keep a cluster alive with heartbeats.
      this.logger.fatal(
        { err: error },
        'raft storage failed; stopping this node so the others elect a healthy leader',
      );
      this.stop();
      setTimeout(() => process.exit(75), 100).unref();
      return;
    } finally {
      this.processing = false;
    }
    if (this.again) {
      this.again = false;
      this.schedule();
    }
  }

  /**
   * One Ready, one transaction (one fsync): its snapshot, entries and hard state, the state
   * machine changes of its committed entries, and `last_applied`. Apply may share the
   * transaction because committed entries are already durable (an earlier Ready) or become
   * durable with it; a crash loses both or neither, and re-applies from `last_applied`.
   */
  private async handle(ready: Ready): Promise<void> {
    // The reads a leader change may have lost: those asked before this Ready was taken (one
    // asked while it is handled reached the core after the change).
    const readsBefore =
      ready.softState && this.readWaiters.size > 0 ? new Set(this.readWaiters.keys()) : NO_READS;
    if (ready.softState) {
      this.logger.log(
        { role: ready.softState.role, leader: ready.softState.leader },
        'raft role changed',
      );
      const leader = ready.softState.leader;
      if (leader !== undefined && leader !== this.knownLeader) {
        this.knownLeader = leader;
        this.stats.leaderChanges += 1;
        const waiting = this.leaderWaiters.filter((waiter) => waiter.id === leader);
        this.leaderWaiters = this.leaderWaiters.filter((waiter) => waiter.id !== leader);
        for (const waiter of waiting) waiter.resolve();
      }
    }
    // A leader may send before its own fsync (thesis 10.2.1); everyone else persists first.
    const isLeader = this.node.status().role === 'leader';
    if (isLeader) this.transport.send(ready.messages);

    if (ready.snapshot && ready.snapshot.meta.index > this.appliedIndex) {
      // InstallSnapshot: replace the state machine, then apply what follows on the new view.
      const snapshot = ready.snapshot;
      await this.transactions.run(async (writer) => {
        await this.storage.write(writer, ready);
        await restoreState(this.dataSource, writer, snapshot.data);
        await new SqlStateTransaction(writer, this.nodeId).setApplied(snapshot.meta.index);
      });
      this.storage.persisted(ready);
      await this.reloadView(snapshot.meta.index);
      if (!isLeader) this.transport.send(ready.messages);
      await this.applyInOwnTransaction(ready.committedEntries);
    } else {
      const fresh = ready.committedEntries.filter((entry) => entry.index > this.appliedIndex);
      const overlay = new ViewOverlay(this.view);
      let applied: AppliedBatch['commands'] = [];
      if (ready.snapshot || ready.entries.length > 0 || ready.hardState || fresh.length > 0) {
        const started = performance.now();
        await this.transactions.run(async (writer) => {
          await this.storage.write(writer, ready);
          applied = await this.applyEntries(writer, fresh, overlay);
        });
        if (fresh.length > 0) this.timings?.applied(performance.now() - started);
      }
      this.storage.persisted(ready);
      if (!isLeader) this.transport.send(ready.messages);
      if (fresh.length > 0) this.published(fresh, overlay, applied);
    }
    for (const state of ready.readStates) {
      const waiter = this.readWaiters.get(state.requestContext);
      this.readWaiters.delete(state.requestContext);
      waiter?.resolve(state.index);
    }
    // Reads confirmed above stand; the others asked before the change were lost with it.
    if (ready.softState) this.failPendingReads(readsBefore);
  }

  /**
   * A leader change drops the ReadIndex requests in flight (the old leader's, or the ones a
   * follower sent it): answer them now, retryable, instead of at their timeout.
   */
  private failPendingReads(contexts: ReadonlySet<string>): void {
    const waiters: ReadWaiter[] = [];
    for (const context of contexts) {
      const waiter = this.readWaiters.get(context);
      if (!waiter) continue;
      this.readWaiters.delete(context);
      waiters.push(waiter);
    }
    if (waiters.length === 0) return;
    const error = new ServiceUnavailable(
      'leadership changed while a linearizable read was being confirmed; retry it',
      { consistency: 'linearizable', leader: this.node.status().leader ?? null },
    );
    for (const waiter of waiters) waiter.reject(error);
  }

  /** The state machine changes of committed entries, and `last_applied`, inside `manager`'s transaction. */
  private async applyEntries(
    writer: SqlWriter,
    fresh: readonly Entry[],
    overlay: ViewOverlay,
  ): Promise<AppliedBatch['commands']> {
    if (fresh.length === 0) return [];
    const tx = new SqlStateTransaction(writer, this.nodeId);
    const applied: AppliedBatch['commands'] = [];
    for (const entry of fresh) {
      if (entry.type !== 'normal' || entry.data.length === 0) continue;
      const command = decodeCommand(Buffer.from(entry.data));
      applied.push({
        index: entry.index,
        command,
        outcome: await this.stateMachine.apply(command, entry.index, overlay, tx),
      });
    }
    await tx.setApplied(fresh[fresh.length - 1].index);
    return applied;
  }

  private async applyInOwnTransaction(entries: readonly Entry[]): Promise<void> {
    const fresh = entries.filter((entry) => entry.index > this.appliedIndex);
    if (fresh.length === 0) return;
    const overlay = new ViewOverlay(this.view);
    let applied: AppliedBatch['commands'] = [];
    await this.transactions.run(async (writer) => {
      applied = await this.applyEntries(writer, fresh, overlay);
    });
    this.published(fresh, overlay, applied);
  }

  private async reloadView(index: number): Promise<void> {
    // Proposals at or below a received snapshot cannot be matched to an outcome any more.
    for (const [waiting, waiter] of this.waiters) {
      if (waiting > index) continue;
      this.waiters.delete(waiting);
      waiter.reject(new OutcomeUnknown());
    }
    const loaded = await loadState(this.dataSource, this.nodeId);
    this.view.load(index, loaded.namespaces, loaded.configs);
    this.appliedIndex = index;
    this.compaction.installed(index);
    this.logger.log({ index }, 'installed snapshot from the leader');
    this.releaseAppliedWaiters();
  }

  /** Shows applied entries in the view and answers the proposals waiting for them. */
  private published(
    fresh: readonly Entry[],
    overlay: ViewOverlay,
    applied: AppliedBatch['commands'],
  ): void {
    const last = fresh[fresh.length - 1].index;
    this.view.commit(overlay.changes, last);
    this.appliedIndex = last;
    const outcomes = new Map(applied.map((item) => [item.index, item.outcome]));
    for (const entry of fresh) {
      const waiter = this.waiters.get(entry.index);
      if (!waiter) continue;
      this.waiters.delete(entry.index);
      const outcome = outcomes.get(entry.index);
      if (waiter.term === entry.term && outcome) {
        this.timings?.committed(performance.now() - waiter.proposedAt);
        waiter.resolve(outcome);
      } else this.dropped(waiter, entry.index);
    }
    this.releaseAppliedWaiters();
    if (applied.length > 0)
      for (const listener of this.listeners) listener({ appliedIndex: last, commands: applied });
  }

  private dropped(waiter: ProposalWaiter, index: number): void {
    this.stats.proposalsDropped += 1;
    waiter.reject(new ProposalDropped(index));
  }

  private releaseAppliedWaiters(): void {
    const ready = this.appliedWaiters.filter((waiter) => waiter.index <= this.appliedIndex);
    this.appliedWaiters = this.appliedWaiters.filter((waiter) => waiter.index > this.appliedIndex);
    for (const waiter of ready) waiter.resolve();
  }
}
