import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { DURATION_BUCKETS } from '../../observability/http-metrics';
import { CommandLog } from '../../state/command-log';
import { RaftCommandLog } from '../log/raft-command-log';

type Metric = Gauge | Counter | Histogram;

/** Read from the node at scrape time. */
const SCRAPED: Array<{
  name: string;
  help: string;
  counter?: true;
  read: (log: RaftCommandLog) => number;
}> = [
  { name: 'term', help: 'Current Raft term', read: (log) => log.status().term },
  {
    name: 'leader',
    help: '1 when this node is the leader',
    read: (log) => (log.status().role === 'leader' ? 1 : 0),
  },
  {
    name: 'has_leader',
    help: '1 when this node knows a leader',
    read: (log) => (log.status().leader === undefined ? 0 : 1),
  },
  {
    name: 'commit_index',
    help: 'Highest committed log index',
    read: (log) => log.status().commitIndex,
  },
  {
    name: 'applied_index',
    help: 'Highest log index applied here',
    read: (log) => log.status().appliedIndex,
  },
  { name: 'last_index', help: 'Last log index stored here', read: (log) => log.status().lastIndex },
  {
    name: 'voters',
    help: 'Voting members in the configuration',
    read: (log) => log.status().voters.length,
  },
  {
    name: 'leader_changes_total',
    help: 'Leaders this node has seen take over',
    counter: true,
    read: (log) => log.stats.leaderChanges,
  },
  {
    name: 'proposals_dropped_total',
    help: 'Writes proposed here that a leader change dropped (answered 50003 not_applied)',
    counter: true,
    read: (log) => log.stats.proposalsDropped,
  },
  {
    name: 'snapshots_taken_total',
    help: 'Log compactions into a snapshot',
    counter: true,
    read: (log) => log.compactionStats.snapshotsTaken,
  },
  {
    name: 'snapshots_installed_total',
    help: 'Snapshots received from the leader and installed',
    counter: true,
    read: (log) => log.compactionStats.snapshotsInstalled,
  },
  {
    name: 'snapshot_bytes',
    help: 'Size of the last snapshot taken here',
    read: (log) => log.compactionStats.lastSnapshotBytes,
  },
  {
    name: 'snapshot_build_seconds',
    help: 'How long the last snapshot took to read and store',
    read: (log) => log.compactionStats.lastSnapshotBuildMs / 1000,
  },
];

/**
 * Raft on /api/v1/metrics (cluster mode only), every name prefixed `config_center_raft_`.
 * Gauges and counters are read at scrape time; only the two duration histograms (spec 3.7.4's
 * raft_commit_duration and raft_apply_duration) are observed as writes go. What an SRE alerts
 * on: no leader, a term that keeps rising (elections), a follower whose applied index falls
 * behind, an unreachable peer, snapshots that take long, commits that slow down.
 */
@Injectable()
export class RaftMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly registered: Array<{ name: string; metric: Metric }> = [];

  constructor(private readonly log: CommandLog) {}

  onModuleInit(): void {
    const raft = this.log;
    if (!(raft instanceof RaftCommandLog)) return;
    for (const { name, help, counter, read } of SCRAPED) {
      this.add(name, (fullName) =>
        counter
          ? new Counter({
              name: fullName,
              help,
              collect() {
                this.reset();
                this.inc(read(raft));
              },
            })
          : new Gauge({
              name: fullName,
              help,
              collect() {
                this.set(read(raft));
              },
            }),
      );
    }
    this.add(
      'peer_reachable',
      (fullName) =>
        new Gauge({
          name: fullName,
          help: '1 when the last message to the peer got through',
          labelNames: ['peer'],
          collect() {
            this.reset();
            for (const peer of raft.peers) this.set({ peer: peer.id }, peer.reachable ? 1 : 0);
          },
        }),
    );
    const histogram = (name: string, help: string) =>
      this.add(
        name,
        (fullName) => new Histogram({ name: fullName, help, buckets: DURATION_BUCKETS }),
      );
    const commit = histogram(
      'commit_duration_milliseconds',
      'Writes proposed here: from the proposal to its outcome (replicated, committed, applied)',
    );
    const apply = histogram(
      'apply_duration_milliseconds',
      'Transactions that applied committed entries (with the entries they stored)',
    );
    raft.timings = {
      committed: (milliseconds) => commit.observe(milliseconds),
      applied: (milliseconds) => apply.observe(milliseconds),
    };
  }

  onModuleDestroy(): void {
    if (this.log instanceof RaftCommandLog) this.log.timings = undefined;
    // Only our own: a later app in this process may have registered the same names.
    for (const { name, metric } of this.registered.splice(0))
      if (register.getSingleMetric(name) === metric) register.removeSingleMetric(name);
  }

  /**
   * Registers `config_center_raft_<name>`, freed first: another app in this process (tests)
   * may have left a metric of that name.
   */
  private add<T extends Metric>(name: string, create: (fullName: string) => T): T {
    const fullName = `config_center_raft_${name}`;
    register.removeSingleMetric(fullName);
    const metric = create(fullName);
    this.registered.push({ name: fullName, metric });
    return metric;
  }
}
