import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Conflict, NotLeader, ServiceUnavailable, ValidationFailed } from '@cc/common';
import {
  ConfChangeRejectedError,
  InvalidArgumentError,
  LeadershipTransferInProgressError,
  NotLeaderError,
} from '@cc/raft';
import { APP_CONFIG, AppConfig } from '../../env/app-config';
import { HealthRegistry } from '../../observability/health-registry';
import { CommandLog } from '../../state/command-log';
import { StateView } from '../../state/state-view';
import { RaftCommandLog } from '../log/raft-command-log';

/** Cluster membership and leadership for operators, and the `raft` health component. */
@Injectable()
export class ClusterService implements OnModuleInit {
  constructor(
    private readonly log: CommandLog,
    private readonly view: StateView,
    private readonly health: HealthRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.health.register({ name: 'raft', critical: true, check: async () => this.raftHealth() });
  }

  raftHealth() {
    const raft = this.raftLog;
    if (!raft) {
      const applied = this.view.appliedIndex;
      return {
        status: 'healthy' as const,
        role: 'leader',
        term: 1,
        leader: this.config.nodeId,
        commit_index: applied,
        applied_index: applied,
        mode: 'single-node',
      };
    }
    const status = raft.status();
    // Waiting for its database (DESIGN 23): it still serves reads, so degraded, not unhealthy.
    const suspended = raft.suspended;
    return {
      status: suspended
        ? ('degraded' as const)
        : status.leader === undefined
          ? ('unhealthy' as const)
          : ('healthy' as const),
      ...(suspended ? { suspended: true } : {}),
      role: status.role === 'preCandidate' ? 'pre-candidate' : status.role,
      term: status.term,
      leader: status.leader ?? null,
      commit_index: status.commitIndex,
      applied_index: this.view.appliedIndex,
      last_index: status.lastIndex,
      voters: status.voters,
    };
  }

  members() {
    const raft = this.requireCluster();
    const status = raft.status();
    const peers = new Map(raft.peers.map((peer) => [peer.id, peer]));
    return {
      leader: status.leader ?? null,
      term: status.term,
      members: status.voters.map((id) => ({
        id,
        url:
          id === this.config.nodeId
            ? this.config.cluster.advertiseUrl
            : (peers.get(id)?.url ?? null),
        self: id === this.config.nodeId,
        leader: id === status.leader,
        reachable: id === this.config.nodeId ? true : (peers.get(id)?.reachable ?? false),
        stream: id === this.config.nodeId ? null : (peers.get(id)?.stream ?? null),
      })),
    };
  }

  addMember(id: string, url: string) {
    const raft = this.requireCluster();
    raft.addPeerAddress({ id, url });
    return this.changeMembership(raft, () => raft.proposeConfChange({ type: 'add', nodeId: id }), {
      id,
      url,
      change: 'add',
    });
  }

  removeMember(id: string) {
    const raft = this.requireCluster();
    return this.changeMembership(
      raft,
      () => raft.proposeConfChange({ type: 'remove', nodeId: id }),
      { id, change: 'remove' },
    );
  }

  /**
   * Answers once `to` leads (an operator drains a node next), or 50301 when it did not within
   * two election timeouts: the core abandons a transfer after one (thesis 3.10), e.g. when the
   * target is down or cannot catch up.
   */
  async transferLeadership(to: string) {
    const raft = this.requireCluster();
    const started = Date.now();
    const result = this.changeMembership(raft, () => raft.transferLeadership(to), {
      to,
      change: 'transfer-leadership',
    });
    const { tickMs, electionTicks } = this.config.cluster;
    const budgetMs = 2 * electionTicks * tickMs;
    if (!(await raft.untilLeader(to, budgetMs))) {
      throw new ServiceUnavailable(
        `leadership transfer to ${to} did not complete within ${budgetMs} ms (leader now: ${raft.status().leader ?? 'none'}); is ${to} up and caught up?`,
        { to },
      );
    }
    return { ...result, leader: to, took_ms: Date.now() - started };
  }

  private changeMembership<T extends object>(
    raft: RaftCommandLog,
    action: () => unknown,
    result: T,
  ): T & { index?: number } {
    try {
      const index = action();
      return typeof index === 'number' ? { ...result, index } : { ...result };
    } catch (error) {
      if (error instanceof NotLeaderError) throw new NotLeader(raft.leaderAddress());
      if (
        error instanceof ConfChangeRejectedError ||
        error instanceof LeadershipTransferInProgressError
      ) {
        throw new Conflict(error.message);
      }
      if (error instanceof InvalidArgumentError)
        throw new ValidationFailed([{ field: 'id', errors: [error.message] }], error.message);
      throw error;
    }
  }

  private get raftLog(): RaftCommandLog | undefined {
    return this.log instanceof RaftCommandLog ? this.log : undefined;
  }

  private requireCluster(): RaftCommandLog {
    const raft = this.raftLog;
    if (!raft)
      throw new ServiceUnavailable(
        'this node runs without RAFT_PEERS: a single-node log has no members to manage',
      );
    return raft;
  }
}
