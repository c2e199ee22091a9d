import type { NodeId } from './types';

/** Base of every error the Raft core throws on purpose; `code` is stable for adapters to map. */
export abstract class RaftError extends Error {
  abstract readonly code: string;
}

/** The request needs the leader; `leaderHint` is the leader this node knows of, if any. */
export class NotLeaderError extends RaftError {
  readonly code = 'RAFT_NOT_LEADER';
  constructor(
    readonly nodeId: NodeId,
    readonly leaderHint: NodeId | undefined,
  ) {
    super(`node ${nodeId} is not the leader (leader: ${leaderHint ?? 'unknown'})`);
  }
}

/** Proposals are refused while leadership moves away, so they are not lost with it (§3.10). */
export class LeadershipTransferInProgressError extends RaftError {
  readonly code = 'RAFT_TRANSFER_IN_PROGRESS';
  constructor(readonly transferee: NodeId) {
    super(`leadership is being transferred to ${transferee}`);
  }
}

/**
 * Single-server changes are safe only one at a time, and only once the leader has committed an
 * entry of its own term (thesis §4.1 and the 2015 raft-dev erratum on membership changes).
 */
export class ConfChangeRejectedError extends RaftError {
  readonly code = 'RAFT_CONF_CHANGE_REJECTED';
  constructor(readonly reason: string) {
    super(`configuration change rejected: ${reason}`);
  }
}

export class InvalidArgumentError extends RaftError {
  readonly code = 'RAFT_INVALID_ARGUMENT';
}

/** A read or compaction asked for log entries that were already compacted into a snapshot. */
export class LogCompactedError extends RaftError {
  readonly code = 'RAFT_LOG_COMPACTED';
  constructor(readonly index: number) {
    super(`log index ${index} is compacted`);
  }
}

/** An internal invariant broke: the persisted state or the caller violated the contract. */
export class RaftInvariantError extends RaftError {
  readonly code = 'RAFT_INVARIANT';
}
