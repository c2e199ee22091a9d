import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { DURATION_BUCKETS } from '../observability/http-metrics';
import { StateService } from '../state/state.service';
import { RaftCommandLog } from './raft-command-log';

/**
 * Raft on /api/v1/metrics (cluster mode only). Gauges and counters are read from the node at
 * scrape time; only the two duration histograms are observed as writes go. What an SRE alerts
 * on: no leader, a term that keeps rising (elections), a follower whose applied index falls
 * behind, an unreachable peer, snapshots that take long, commits that slow down.
 */
@Injectable()
export class RaftMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly registered: Array<{ name: string; metric: Gauge | Counter | Histogram }> = [];

  constructor(private readonly state: StateService) {}

  onModuleInit(): void {
    const raft = this.state.raft;
    if (!raft) return;
    const own = <T extends Gauge | Counter | Histogram>(metric: T, name: string): T => {
      this.registered.push({ name, metric });
      return metric;
    };
    // Another app in this process (tests) may have left metrics of the same name.
    const free = (name: string) => {
      register.removeSingleMetric(name);
      return name;
    };
    const gauge = (name: string, help: string, read: (log: RaftCommandLog) => number) =>
      own(
        new Gauge({
          name: free(name),
          help,
          collect() {
            this.set(read(raft));
          },
        }),
        name,
      );
    const counter = (name: string, help: string, read: (log: RaftCommandLog) => number) =>
      own(
        new Counter({
          name: free(name),
          help,
          collect() {
            this.reset();
            this.inc(read(raft));
          },
        }),
        name,
      );
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
      (log) => log.compactionStats.snapshotsTaken,
    );
    counter(
      'config_center_raft_snapshots_installed_total',
      'Snapshots received from the leader and installed',
      (log) => log.stats.snapshotsInstalled,
    );
    gauge(
      'config_center_raft_snapshot_bytes',
      'Size of the last snapshot taken here',
      (log) => log.compactionStats.lastSnapshotBytes,
    );
    gauge(
      'config_center_raft_snapshot_build_seconds',
      'How long the last snapshot took to read and store',
      (log) => log.compactionStats.lastSnapshotBuildMs / 1000,
    );
    // Spec 3.7.4: raft_commit_duration and raft_apply_duration, in ms, with the API's buckets.
    const histogram = (name: string, help: string) =>
      own(new Histogram({ name: free(name), help, buckets: DURATION_BUCKETS }), name);
    const commit = histogram(
      'config_center_raft_commit_duration_milliseconds',
      'Writes proposed here: from the proposal to its outcome (replicated, committed, applied)',
    );
    const apply = histogram(
      'config_center_raft_apply_duration_milliseconds',
      'Transactions that applied committed entries (with the entries they stored)',
    );
    raft.timings = {
      committed: (milliseconds) => commit.observe(milliseconds),
      applied: (milliseconds) => apply.observe(milliseconds),
    };
    const peers = 'config_center_raft_peer_reachable';
    own(
      new Gauge({
        name: free(peers),
        help: '1 when the last message to the peer got through',
        labelNames: ['peer'],
        collect() {
          this.reset();
          for (const peer of raft.peers) this.set({ peer: peer.id }, peer.reachable ? 1 : 0);
        },
      }),
      peers,
    );
  }

  onModuleDestroy(): void {
    if (this.state.raft) this.state.raft.timings = undefined;
    // Only our own: a later app may have registered its metrics under the same names.
    for (const { name, metric } of this.registered.splice(0))
      if (register.getSingleMetric(name) === metric) register.removeSingleMetric(name);
  }
}
