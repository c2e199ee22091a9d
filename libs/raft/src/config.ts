import { InvalidArgumentError } from './errors';
import type { RaftStorage } from './storage';
import type { NodeId } from './types';

export interface RaftConfig {
  readonly id: NodeId;
  /**
   * Voters (including this node) when the cluster is bootstrapped. Used only while storage
   * holds no snapshot; later the configuration comes from the snapshot and the log. A node
   * joining an existing cluster passes [] and learns the configuration from its leader.
   */
  readonly peers: readonly NodeId[];
  /** Ticks without hearing from a leader before campaigning; randomised in [e, 2e) (§5.2). */
  readonly electionTick: number;
  /** Ticks between a leader's heartbeats; must be well below electionTick. */
  readonly heartbeatTick: number;
  readonly storage: RaftStorage;
  /** Uniform in [0, 1): inject a seeded PRNG to make runs reproducible. */
  readonly random: () => number;
  /** Run a pre-vote round before incrementing the term (thesis §9.6). */
  readonly preVote: boolean;
  /** Leader steps down without a quorum, and followers honour its lease (thesis §6.2, §4.2.3). */
  readonly checkQuorum: boolean;
  /** Entries one append carries at most (default 64). */
  readonly maxEntriesPerMessage?: number;
  /**
   * Entry bytes (`data`) one append carries, like etcd's MaxSizePerMsg: entries are added while
   * the total stays within it, and the first entry always goes, however large (default 1 MiB).
   */
  readonly maxBytesPerMessage?: number;
  /** Unacknowledged appends per follower in replicate state (pipelining window). */
  readonly maxInflight?: number;
  /** Last index the application has applied (its state survives restarts, DESIGN.md §2). */
  readonly applied?: number;
}

export function validateConfig(config: RaftConfig): void {
  if (config.id === '') throw new InvalidArgumentError('id must not be empty');
  if (!Number.isInteger(config.heartbeatTick) || config.heartbeatTick <= 0) {
    throw new InvalidArgumentError('heartbeatTick must be a positive integer');
  }
  if (!Number.isInteger(config.electionTick) || config.electionTick <= config.heartbeatTick) {
    throw new InvalidArgumentError('electionTick must be an integer above heartbeatTick');
  }
  if (
    (config.maxInflight ?? 1) <= 0 ||
    (config.maxEntriesPerMessage ?? 1) <= 0 ||
    (config.maxBytesPerMessage ?? 1) <= 0
  ) {
    throw new InvalidArgumentError(
      'maxInflight, maxEntriesPerMessage and maxBytesPerMessage must be positive',
    );
  }
  if (new Set(config.peers).size !== config.peers.length) {
    throw new InvalidArgumentError('peers must not repeat');
  }
}
