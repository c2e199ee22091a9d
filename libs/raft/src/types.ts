/**
 * Wire and persistence types of the Raft core. Everything here is plain data so an adapter can
 * serialise it as it likes (JSON for HTTP, rows for `raft_log` / `raft_state`).
 */

export type NodeId = string;

/** `noop` is the empty entry a new leader appends to commit its term (Raft paper §5.4.2, §8). */
export type EntryType = 'normal' | 'conf' | 'noop';

export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** The state that must be on stable storage before any message of the same Ready is sent. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | undefined;
  readonly commit: number;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Volatile state, reported for observability; never persisted. */
export interface SoftState {
  readonly role: Role;
  readonly leader: NodeId | undefined;
}

export interface ConfState {
  readonly voters: readonly NodeId[];
}

export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

/** Result of a ReadIndex request: the caller may serve the read once it has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly requestContext: string;
}

export type ConfChangeType = 'add' | 'remove';

export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
}

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

export interface VoteRequest extends MessageBase {
  readonly type: 'vote' | 'preVote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /** Set by a campaign triggered by TimeoutNow: voters must ignore their leader lease (§3.10). */
  readonly leadershipTransfer: boolean;
}

export interface VoteResponse extends MessageBase {
  readonly type: 'voteResp' | 'preVoteResp';
  readonly reject: boolean;
}

export interface AppendRequest extends MessageBase {
  readonly type: 'append';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * On success `index` is the follower's last index matching the leader. On rejection `index` is
 * the rejected `prevLogIndex`, and the hint names the last follower entry whose term is at most
 * the leader's `prevLogTerm`, so the leader can skip a whole conflicting term per round trip
 * (paper §5.3, the "fast backtracking" optimisation).
 */
export interface AppendResponse extends MessageBase {
  readonly type: 'appendResp';
  readonly index: number;
  readonly reject: boolean;
  readonly rejectHintIndex: number;
  readonly rejectHintTerm: number;
}

export interface HeartbeatRequest extends MessageBase {
  readonly type: 'heartbeat';
  readonly commit: number;
  /** ReadIndex round this heartbeat confirms leadership for (thesis §6.4). */
  readonly readContext: string | undefined;
}

export interface HeartbeatResponse extends MessageBase {
  readonly type: 'heartbeatResp';
  readonly readContext: string | undefined;
}

export interface InstallSnapshot extends MessageBase {
  readonly type: 'snapshot';
  readonly snapshot: Snapshot;
}

export interface TimeoutNow extends MessageBase {
  readonly type: 'timeoutNow';
}

/** A follower forwarding a client's ReadIndex request to its leader. */
export interface ReadIndexRequest extends MessageBase {
  readonly type: 'readIndex';
  readonly requestContext: string;
}

export interface ReadIndexResponse extends MessageBase {
  readonly type: 'readIndexResp';
  readonly requestContext: string;
  readonly index: number;
}

export type Message =
  | VoteRequest
  | VoteResponse
  | AppendRequest
  | AppendResponse
  | HeartbeatRequest
  | HeartbeatResponse
  | InstallSnapshot
  | TimeoutNow
  | ReadIndexRequest
  | ReadIndexResponse;

export type MessageType = Message['type'];

/**
 * Work handed to the application by `RaftNode.ready()`. Process it in this order, then call
 * `advance(ready)`:
 *  1. persist `snapshot` (if any), then `entries` (an entry at an index already stored replaces
 *     it and every entry after it), then `hardState`, durably (fsync);
 *  2. only then send `messages`: a vote or an append acknowledgement promises that the state
 *     above survives a crash (paper §5.1 / Figure 2 "before responding to RPCs");
 *  3. restore the state machine from `snapshot`, then apply `committedEntries` in order;
 *  4. serve reads of `readStates` once the applied index reaches their `index`.
 */
export interface Ready {
  readonly softState: SoftState | undefined;
  readonly hardState: HardState | undefined;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | undefined;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
}
