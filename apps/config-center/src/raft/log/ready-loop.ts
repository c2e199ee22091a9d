import { Logger } from '@nestjs/common';
import { OutcomeUnknown, ServiceUnavailable } from '@cc/common';
import { ConfChange, Entry, Message, RaftNode, RaftStatus, Ready } from '@cc/raft';
import { SqlWriter } from '../../database/sql-writer';
import { PendingApply } from '../../state/applier';
import { CommandOutcome } from '../../state/commands';
import { CompactionStats, LogCompaction } from '../storage/log-compaction';
import { handOverWithoutStorage, toCommittedEntry } from './successor';
import { RaftTimings, ReadyLoopPorts, ReadyLoopSettings } from './ready-loop-settings';
import { WaiterRegistry } from './waiter-registry';

export type { RaftTimings, ReadyLoopPorts, ReadyLoopSettings } from './ready-loop-settings';

/**
 * Drives the pure core (libs/raft) through the Ready contract, one Ready at a time: store it
 * (one transaction with the apply of its committed entries: one fsync), send its messages,
 * publish what was applied, settle the waiters, advance. Every effect goes through a port, so a
 * test runs three loops on memory stores and a simulated network, in milliseconds.
 */
export class ReadyLoop {
  private readonly logger = new Logger('Raft');
  readonly waiters: WaiterRegistry;
  private node!: RaftNode;
  private compaction!: LogCompaction;
  private processing = false;
  private again = false;
  private stopped = false;
  /** The database went away: no tick, no message, no proposal until `resume`. */
  private suspended = false;
  private appliedIndex = 0;
  /** The last log index of any Ready taken: entries above it never left this process. */
  private handedOut = 0;
  /** One resume at a time: a flapping database may ask again while one is under way. */
  private resuming?: Promise<void>;
  private knownLeader?: string;
  private idle: Array<() => void> = [];
  leaderChanges = 0;
  /** Set by RaftMetrics: spec 3.7.4's raft_commit_duration and raft_apply_duration. */
  timings?: RaftTimings;

  constructor(
    private readonly ports: ReadyLoopPorts,
    private readonly settings: ReadyLoopSettings,
  ) {
    this.waiters = new WaiterRegistry(settings.now);
  }

  start(): void {
    this.appliedIndex = this.ports.store.applied;
    this.startCore();
  }

  /** A core on what the store holds, as a follower at its stored term (start and resume). */
  private startCore(): void {
    const { store } = this.ports;
    this.node = new RaftNode({
      id: this.settings.nodeId,
      peers: this.settings.voters,
      electionTick: this.settings.electionTicks,
      heartbeatTick: this.settings.heartbeatTicks,
      storage: store,
      random: this.settings.random,
      preVote: true,
      checkQuorum: true,
      // One append holds maxAppendBytes of entries, or one larger entry alone: a batch of them
      // stays under the messages route's body limit (raft-wire.ts).
      maxEntriesPerMessage: 64,
      maxBytesPerMessage: this.settings.maxAppendBytes,
      maxInflight: 64,
      applied: this.appliedIndex,
    });
    this.compaction = new LogCompaction(
      this.settings.snapshotEntries,
      () => this.node,
      store,
      this.ports.run,
      this.ports.applier,
      () => this.schedule(),
    );
    // A cluster of one elects itself at once instead of waiting for a timeout.
    const { voters } = this.node.status();
    if (voters.length === 1 && voters[0] === this.settings.nodeId) this.node.campaign();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.ports.transport.close();
    this.releaseIdle();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  get applied(): number {
    return this.appliedIndex;
  }

  get compactionStats(): CompactionStats {
    return this.compaction.stats;
  }

  /** A suspended loop leads nobody and knows no leader: it has given its leadership up. */
  status(): RaftStatus {
    const status = this.node.status();
    return this.suspended
      ? { ...status, role: 'follower', leader: undefined, matchIndex: {} }
      : status;
  }

  get isSuspended(): boolean {
    return this.suspended;
  }

  tick(): void {
    if (this.suspended) return;
    this.node.tick();
    this.schedule();
  }

  step(messages: readonly Message[]): void {
    // Answering would promise what this node cannot store; the others go on without it.
    if (this.suspended) return;
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

  /** Throws NotLeaderError on a follower. */
  propose(data: Uint8Array): Promise<CommandOutcome> {
    this.refuseWhileSuspended();
    const { index, term } = this.node.propose(data);
    const outcome = this.waiters.proposal(index, term);
    this.schedule();
    return outcome;
  }

  proposeConfChange(change: ConfChange): number {
    this.refuseWhileSuspended();
    const { index } = this.node.proposeConfChange(change);
    this.schedule();
    return index;
  }

  transferLeadership(to: string): void {
    this.refuseWhileSuspended();
    this.node.transferLeadership(to);
    this.schedule();
  }

  /** Asks the core for a ReadIndex; throws NotLeaderError when no leader is known. */
  readIndex(context: string): Promise<number> {
    this.refuseWhileSuspended();
    this.node.readIndex(context);
    const index = this.waiters.read(context);
    this.schedule();
    return index;
  }

  untilApplied(index: number): Promise<void> {
    return this.waiters.untilApplied(index, this.appliedIndex);
  }

  /** Resolves once the loop has nothing left to do (tests drive it step by step). */
  settled(): Promise<void> {
    if (!this.processing || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.stopped || this.suspended) return;
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
        const last = ready.entries[ready.entries.length - 1];
        if (last && last.index > this.handedOut) this.handedOut = last.index;
        await this.handle(ready);
        this.node.advance(ready);
        await this.compaction.afterReady(this.appliedIndex);
      }
    } catch (error) {
      if (this.settings.recoverable?.(error)) {
        this.suspend(error);
        return;
      }
      // DESIGN 19: a node that cannot persist must not keep a cluster alive with heartbeats.
      this.logger.fatal(
        { err: error },
        'raft storage failed; stopping this node so the others elect a healthy leader',
      );
      this.stop();
      this.waiters.failAll(
        new OutcomeUnknown('this node stopped: its storage failed; the write may or may not apply'),
      );
      this.settings.onFatal(error);
      return;
    } finally {
      this.processing = false;
    }
    if (this.again) {
      this.again = false;
      this.schedule();
    } else this.releaseIdle();
  }

  /**
   * One Ready, one transaction (one fsync): its snapshot, entries and hard state, the state
   * machine changes of its committed entries, and `last_applied`. Apply may share the
   * transaction because committed entries are already durable (an earlier Ready) or become
   * durable with it; a crash loses both or neither, and re-applies from `last_applied`.
   */
  private async handle(ready: Ready): Promise<void> {
    const { store, transport, applier, run } = this.ports;
    // The reads a leader change may have lost: those asked before this Ready was taken (one
    // asked while it is handled reached the core after the change).
    const readsBefore = ready.softState ? this.waiters.readsAsked() : undefined;
    if (ready.softState) this.roleChanged(ready.softState.role, ready.softState.leader);
    // A leader may send before its own fsync (thesis 10.2.1); everyone else persists first.
    const isLeader = this.node.status().role === 'leader';
    if (isLeader) transport.send(ready.messages);

    if (ready.snapshot && ready.snapshot.meta.index > this.appliedIndex) {
      // InstallSnapshot: replace the state machine, then apply what follows on the new view.
      const snapshot = ready.snapshot;
      await run(async (writer) => {
        await store.write(writer, ready);
        await applier.restore(writer, snapshot.data, snapshot.meta.index);
      });
      store.persisted(ready);
      await this.installed(snapshot.meta.index);
      if (!isLeader) transport.send(ready.messages);
      const fresh = this.fresh(ready.committedEntries);
      if (fresh.length > 0) this.published(fresh, await run((writer) => this.apply(writer, fresh)));
    } else {
      const fresh = this.fresh(ready.committedEntries);
      let pending: PendingApply | undefined;
      if (ready.snapshot || ready.entries.length > 0 || ready.hardState || fresh.length > 0) {
        const started = this.settings.now();
        pending = await run(async (writer) => {
          await store.write(writer, ready);
          return fresh.length > 0 ? this.apply(writer, fresh) : undefined;
        });
        if (pending) this.timings?.applied(this.settings.now() - started);
      }
      store.persisted(ready);
      if (!isLeader) transport.send(ready.messages);
      if (pending) this.published(fresh, pending);
    }
    this.waiters.resolveReads(ready.readStates);
    // Reads confirmed above stand; the others asked before the change were lost with it.
    if (readsBefore)
      this.waiters.failReads(
        readsBefore,
        () =>
          new ServiceUnavailable(
            'leadership changed while a linearizable read was being confirmed; retry it',
            { consistency: 'linearizable', leader: this.node.status().leader ?? null },
          ),
      );
  }

  /**
   * DESIGN 23: the database went away under this loop. A leader hands its leadership to the
   * follower whose log is furthest along (a TimeoutNow, which needs nothing stored here), then
   * the node falls silent: no ticks (no campaign), no answers; the others elect without it.
   * Writes whose entry was in a Ready may have been sent and may still commit through the
   * followers: 50003. Those never handed to storage or transport were not applied: 50301.
   */
  private suspend(error: unknown): void {
    this.suspended = true;
    this.logger.error(
      { err: error },
      'raft storage unreachable: leadership given up, this node waits for its database',
    );
    handOverWithoutStorage(this.node, this.ports.transport, this.logger);
    this.waiters.failProposalsThrough(
      this.handedOut,
      new OutcomeUnknown(
        'the database was lost while this write was in flight; it may still apply',
      ),
    );
    this.waiters.failProposalsThrough(Number.POSITIVE_INFINITY, this.unavailable());
    this.waiters.failReads(this.waiters.readsAsked(), () => this.unavailable());
    this.settings.onSuspended?.(error);
  }

  /**
   * The database is back: the log store and `last_applied` are read again and a fresh core
   * starts from them as a follower (what was in memory may be behind or ahead of what the
   * database kept when the connection went), then catches up from the leader.
   */
  resume(): Promise<void> {
    this.resuming ??= this.resumeNow().finally(() => (this.resuming = undefined));
    return this.resuming;
  }

  private async resumeNow(): Promise<void> {
    if (!this.suspended || this.stopped) return;
    await this.settled();
    await this.ports.store.load();
    // More than this node showed: a transaction committed as its connection was lost.
    const applied = this.ports.store.applied;
    if (applied > this.appliedIndex) {
      await this.ports.applier.reload(applied);
      this.appliedIndex = applied;
      this.waiters.releaseApplied(applied);
    }
    this.suspended = false;
    this.knownLeader = undefined;
    this.logger.log(
      { applied: this.appliedIndex },
      'raft storage reachable again: resuming as a follower',
    );
    this.startCore();
  }

  private refuseWhileSuspended(): void {
    if (this.suspended) throw this.unavailable();
  }

  private unavailable(): Error {
    return (
      this.settings.unavailable?.() ??
      new ServiceUnavailable('this node cannot reach its database; retry on another node')
    );
  }

  private roleChanged(role: string, leader: string | undefined): void {
    this.logger.log({ role, leader }, 'raft role changed');
    if (leader === undefined || leader === this.knownLeader) return;
    this.knownLeader = leader;
    this.leaderChanges += 1;
    this.waiters.leaderChanged(leader);
  }

  private fresh(entries: readonly Entry[]): Entry[] {
    return entries.filter((entry) => entry.index > this.appliedIndex);
  }

  private apply(writer: SqlWriter, fresh: Entry[]): Promise<PendingApply> {
    return this.ports.applier.apply(writer, fresh.map(toCommittedEntry));
  }

  /** A snapshot from the leader replaced the state machine through `index`. */
  private async installed(index: number): Promise<void> {
    // Proposals at or below a received snapshot cannot be matched to an outcome any more.
    this.waiters.failProposalsThrough(index, new OutcomeUnknown());
    await this.ports.applier.reload(index);
    this.appliedIndex = index;
    this.compaction.installed(index);
    this.logger.log({ index }, 'installed snapshot from the leader');
    this.waiters.releaseApplied(index);
  }

  /** Shows applied entries in the view and answers the proposals waiting for them. */
  private published(fresh: readonly Entry[], pending: PendingApply): void {
    this.ports.applier.publish(pending);
    this.appliedIndex = fresh[fresh.length - 1].index;
    const outcomes = new Map(pending.batch.commands.map((item) => [item.index, item.outcome]));
    this.waiters.settleProposals(fresh, outcomes, (milliseconds) =>
      this.timings?.committed(milliseconds),
    );
    this.waiters.releaseApplied(this.appliedIndex);
  }

  private releaseIdle(): void {
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
