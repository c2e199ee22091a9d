export type { RaftConfig } from './config';
export {
  ConfChangeRejectedError,
  InvalidArgumentError,
  LeadershipTransferInProgressError,
  LogCompactedError,
  NotLeaderError,
  RaftError,
  RaftInvariantError,
} from './errors';
export { decodeConfChange, type ConfChangeRecord } from './membership';
export { MemoryStorage } from './memory-storage';
export { DEFAULT_MAX_BYTES_PER_MESSAGE } from './raft-log';
export { RaftNode, type ProposalResult, type RaftStatus } from './raft-node';
export { EMPTY_HARD_STATE, EMPTY_SNAPSHOT, type RaftStorage } from './storage';
export type * from './types';
