import { Applier } from '../../state/applier';
import { RaftLogStore, TransactionRunner } from '../storage/raft-log-store';
import { RaftTransport } from '../transport/raft-transport';

export interface RaftTimings {
  /** A proposal made here, from propose() to its outcome. */
  committed(milliseconds: number): void;
  /** A Ready's transaction that applied committed entries (with the entries it stored). */
  applied(milliseconds: number): void;
}

/** The ports a Ready loop drives: where entries are stored, sent and applied. */
export interface ReadyLoopPorts {
  store: RaftLogStore;
  transport: RaftTransport;
  applier: Applier;
  /** One transaction at a time, in call order (SqlTransactions.run). */
  run: TransactionRunner;
}

export interface ReadyLoopSettings {
  nodeId: string;
  /** Voters to start with; empty for a node that joins an existing cluster. */
  voters: string[];
  electionTicks: number;
  heartbeatTicks: number;
  maxAppendBytes: number;
  snapshotEntries: number;
  random: () => number;
  /** Milliseconds on a monotonic clock (performance.now), for the commit histogram. */
  now: () => number;
  /** The loop could not persist and stopped for good (DESIGN 19): the node must go. */
  onFatal: (error: unknown) => void;
  /**
   * A storage failure the node outlives (the database went away, DESIGN 23): the loop suspends
   * instead of stopping, and `resume()` rebuilds it from the database once it is back.
   */
  recoverable?: (error: unknown) => boolean;
  /** What a write or a linearizable read gets while the loop is suspended (50301). */
  unavailable?: () => Error;
  onSuspended?: (error: unknown) => void;
}
