/** What node-to-node Raft traffic looks like on the wire: paths, headers, limits. */

export const CLUSTER_SECRET_HEADER = 'x-cluster-secret';
export const RAFT_FROM_HEADER = 'x-raft-from';
/** Lets a node learn the address of a member added after it started (membership changes). */
export const RAFT_FROM_URL_HEADER = 'x-raft-from-url';

/** One request per batch: snapshots, and peers that do not take streams. */
export const RAFT_MESSAGES_PATH = '/internal/raft/messages';
export const RAFT_MESSAGES_BODY_LIMIT = 512 * 1024 * 1024;

/**
 * One long-lived request per directed link i -> j carrying only i's messages to j, a frame per
 * batch: `encodeMessages(batch) + '\n'`. The receiver answers 200 at once (the sender then knows
 * the stream was accepted), acknowledges frames on the response body, and ends it with the stream.
 */
export const RAFT_STREAM_PATH = '/internal/raft/stream';
export const RAFT_STREAM_CONTENT_TYPE = 'application/x-ndjson';
/** A single append may be far above the request byte budget (64 entries of 1 MiB in base64). */
export const MAX_FRAME_BYTES = RAFT_MESSAGES_BODY_LIMIT;
/** The receiver acknowledges received frames at most this often (one small write per interval). */
export const STREAM_ACK_INTERVAL_MS = 500;

/** Response lines of a stream: the acceptance, acknowledgements, and the last line. */
export interface StreamAck {
  frames: number;
}
