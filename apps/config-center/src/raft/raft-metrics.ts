import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, register } from 'prom-client';
import { StateService } from '../state/state.service';
import { RaftCommandLog } from './raft-command-log';

/**
 * Raft on /api/v1/metrics (cluster mode only), read from the node at scrape time: nothing on
 * the write path. What an SRE alerts on: no leader, a term that keeps rising (elections), a
 * follower whose applied index falls behind, an unreachable peer, snapshots that take long.
 */
@Injectable()
export class RaftMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly names: string[] = [];

  constructor(private readonly state: StateService) {}

  onModuleInit(): void {
    const raft = this.state.raft;
    if (!raft) return;
    const named = (name: string) => {
      // Another app in this process (tests) may have left its own.
      register.removeSingleMetric(name);
      this.names.push(name);
      return name;
    };
    const gauge = (name: string, help: string, read: (log: RaftCommandLog) => number) =>
      new Gauge({
        name: named(name),
        help,
        collect() {
          this.set(read(raft));
        },
      });
    const counter = (name: string, help: string, read: (log: RaftCommandLog) => number) =>
      new Counter({
        name: named(name),
        help,
        collect() {
          this.reset();
          this.inc(read(raft));
        },
      });
    gauge('config_center_raft_term', 'Current Raft term', (log) => log.status().term);
    gauge('config_center_raft_leader', '1 when this node is the leader', (log) =>
      log.status().role === 'leader' ? 1 : 0,
    );
    gauge('config_center_raft_has_leader', '1 when this node knows a leader', (log) =>
      log.status().leader === undefined ? 0 : 1,
    );
    gauge(
      'config_center_raft_commit_index',
      'Highest committed log index',
      (log) => log.status().commitIndex,
    );
    gauge(
      'config_center_raft_applied_index',
      'Highest log index applied here',
      (log) => log.status().appliedIndex,
    );
    gauge(
      'config_center_raft_last_index',
      'Last log index stored here',
      (log) => log.status().lastIndex,
    );
    gauge(
      'config_center_raft_voters',
      'Voting members in the configuration',
      (log) => log.status().voters.length,
    );
    counter(
      'config_center_raft_leader_changes_total',
      'Leaders this node has seen take over',
      (log) => log.stats.leaderChanges,
    );
    counter(
      'config_center_raft_proposals_dropped_total',
      'Writes proposed here that a leader change dropped (answered 50003 not_applied)',
      (log) => log.stats.proposalsDropped,
    );
    counter(
      'config_center_raft_snapshots_taken_total',
      'Log compactions into a snapshot',
      (log) => log.stats.snapshotsTaken,
    );
    counter(
      'config_center_raft_snapshots_installed_total',
      'Snapshots received from the leader and installed',
      (log) => log.stats.snapshotsInstalled,
    );
    gauge(
      'config_center_raft_snapshot_bytes',
      'Size of the last snapshot taken here',
      (log) => log.stats.lastSnapshotBytes,
    );
    gauge(
      'config_center_raft_snapshot_build_seconds',
      'How long the last snapshot took to read and store',
      (log) => log.stats.lastSnapshotBuildMs / 1000,
    );
    new Gauge({
      name: named('config_center_raft_peer_reachable'),
      help: '1 when the last message to the peer got through',
      labelNames: ['peer'],
      collect() {
        this.reset();
        for (const peer of raft.peers) this.set({ peer: peer.id }, peer.reachable ? 1 : 0);
      },
    });
  }

  onModuleDestroy(): void {
    for (const name of this.names.splice(0)) register.removeSingleMetric(name);
  }
}
