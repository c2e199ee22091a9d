import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SqlTransactions } from '../database/sql-writer';
import { fromReplicatedFailure, NotLeader, OutcomeUnknown } from '@cc/common';
import { CallContext } from '@cc/resource';
import { NotLeaderError } from '@cc/raft';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { DurableRaftStorage } from '../raft/durable-raft-storage';
import { ForwardProposalResource } from '../raft/forward-proposal.resource';
import { RaftCommandLog } from '../raft/raft-command-log';
import { RaftTransport } from '../raft/raft-transport';
import { AppliedBatch, CommandLog } from './command-log';
import { CommandResult, resultOf } from './command-results';
import { Command, CommandOutcome } from './commands';
import { SingleNodeCommandLog } from './single-node-log';
import { loadState } from './state-loader';
import { StateMachine } from './state-machine';
import { Consistency, ReadModel } from './read-model';
import { StateReader, StateView } from './state-view';

/**
 * The write path and the read view in one place: resources read `reader` and call `write`.
 * With RAFT_PEERS the log is the Raft log (a follower forwards writes to the leader); without,
 * a single-voter log that commits on fsync.
 */
@Injectable()
export class StateService extends ReadModel implements OnModuleInit, OnApplicationShutdown {
  private readonly view = new StateView();
  private readonly stateMachine = new StateMachine();
  private log!: CommandLog;
  private raftLog?: RaftCommandLog;
  private forwarder?: ForwardProposalResource;
  private readonly visibilityBarriers: Array<(index: number) => Promise<void>> = [];
  private readonly transactions: SqlTransactions;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
    this.transactions = new SqlTransactions(dataSource);
  }

  async onModuleInit(): Promise<void> {
    const loaded = await loadState(this.dataSource, this.config.nodeId);
    this.view.load(loaded.appliedIndex, loaded.namespaces, loaded.configs);
    const cluster = this.config.cluster;
    if (cluster.peers.length === 0 && !cluster.join) {
      this.log = new SingleNodeCommandLog(
        this.transactions,
        this.stateMachine,
        this.view,
        this.config.nodeId,
        Math.max(loaded.appliedIndex, loaded.lastLogIndex),
      );
      return;
    }
    const storage = new DurableRaftStorage(this.dataSource, this.config.nodeId);
    await storage.load();
    const secret = cluster.secret ?? '';
    const transport = new RaftTransport(
      this.config.nodeId,
      secret,
      cluster.peers,
      cluster.advertiseUrl,
      cluster.snapshotChunkBytes,
    );
    this.raftLog = new RaftCommandLog(
      this.config.nodeId,
      cluster,
      this.dataSource,
      this.transactions,
      storage,
      transport,
      this.stateMachine,
      this.view,
    );
    // The leader answers 50003 "outcome unknown" at proposalTimeoutMs; wait a little longer for that answer.
    this.forwarder = new ForwardProposalResource(secret, this.config.proposalTimeoutMs + 1000);
    this.log = this.raftLog;
    this.raftLog.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.raftLog?.stop();
    await this.transactions.close();
  }

  get reader(): StateReader {
    return this.view;
  }

  /** The applied view itself, for read workers that replicate it. */
  get appliedView(): StateView {
    return this.view;
  }

  /** The Raft driver, when this node is part of a cluster. */
  get raft(): RaftCommandLog | undefined {
    return this.raftLog;
  }

  onApplied(listener: (batch: AppliedBatch) => void): void {
    this.log.onApplied(listener);
  }

  /** Something else that must show a write before it is acknowledged (read workers). */
  addVisibilityBarrier(barrier: (index: number) => Promise<void>): void {
    this.visibilityBarriers.push(barrier);
  }

  /** Proposes and waits; returns the apply result or throws the replicated failure, typed. */
  async write<C extends Command>(
    command: C,
    context?: CallContext,
  ): Promise<{ value: CommandResult<C>; revision: number }> {
    const outcome = await this.propose(command, context);
    await this.untilVisible(outcome.revision);
    if (!outcome.ok) throw fromReplicatedFailure(outcome.error);
    return { value: resultOf(command, outcome), revision: outcome.revision };
  }

  /** Proposes here when leader, else forwards to the leader (or answers 50302). */
  async propose(command: Command, context?: CallContext): Promise<CommandOutcome> {
    try {
      return await this.withTimeout(this.log.propose(command));
    } catch (error) {
      if (!(error instanceof NotLeaderError)) throw error;
      const leader = this.raftLog?.leaderAddress();
      if (!this.config.cluster.forwardWrites || !leader?.address || !this.forwarder)
        throw new NotLeader(leader);
      return this.forwarder.request(
        { command, leaderUrl: leader.address },
        context ?? { requestId: `forward-${Date.now()}`, nodeId: this.config.nodeId, chain: [] },
      );
    }
  }

  /** Waits until this node has applied every write committed before the call (ReadIndex). */
  async readBarrier(consistency: Consistency | undefined): Promise<void> {
    if (consistency !== 'linearizable' || !this.raftLog) return;
    await this.raftLog.readBarrier(this.config.proposalTimeoutMs);
  }

  /**
   * Read-your-writes: a write forwarded to the leader is answered once this node's own view
   * (and its read workers') shows it. Bounded: a lagging replica delays, never fails, a write.
   */
  private async untilVisible(index: number): Promise<void> {
    const waits: Array<Promise<void>> = this.visibilityBarriers.map((barrier) => barrier(index));
    if (this.raftLog && this.view.appliedIndex < index)
      waits.push(this.raftLog.untilApplied(index));
    if (waits.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(waits),
      new Promise((resolve) => (timer = setTimeout(resolve, this.config.proposalTimeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private withTimeout(proposal: Promise<CommandOutcome>): Promise<CommandOutcome> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new OutcomeUnknown()), this.config.proposalTimeoutMs);
      proposal.then(
        (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
