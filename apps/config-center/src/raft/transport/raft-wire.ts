/** What node-to-node Raft traffic looks like on the wire: paths, headers, limits. */
import { MAX_COMMAND_BYTES } from '../../state/commands';

export const CLUSTER_SECRET_HEADER = 'x-cluster-secret';
export const RAFT_FROM_HEADER = 'x-raft-from';
/** Lets a node learn the address of a member added after it started (membership changes). */
export const RAFT_FROM_URL_HEADER = 'x-raft-from-url';

/** Every node-to-node route lives under this prefix and needs the cluster secret. */
export const INTERNAL_PREFIX = '/internal/';

/** Upper bound of RAFT_MAX_APPEND_BYTES (the entry bytes of one append). */
export const MAX_APPEND_BYTES_LIMIT = 4 * 1024 * 1024;
/** What a message costs on the wire beyond its entries (type, ids, term, indexes). */
export const MESSAGE_WIRE_OVERHEAD = 512;
/** What an entry costs on the wire beyond its base64 data (index, term, type). */
export const ENTRY_WIRE_OVERHEAD = 128;
const base64Bytes = (bytes: number): number => Math.ceil(bytes / 3) * 4;
/** Wire bytes of one message carrying entries of these sizes, never below the real encoding. */
export function appendWireBytes(entryBytes: readonly number[]): number {
  return entryBytes.reduce(
    (sum, bytes) => sum + base64Bytes(bytes) + ENTRY_WIRE_OVERHEAD,
    MESSAGE_WIRE_OVERHEAD,
  );
}

/**
 * The byte budget of one batch (one request, one stream frame). A batch stops before passing
 * it, but always takes one message: the largest is an append of one write entry (at most
 * MAX_COMMAND_BYTES, in base64) or of MAX_APPEND_BYTES_LIMIT in small entries.
 */
export const BATCH_WIRE_BYTES = Math.max(
  appendWireBytes([MAX_COMMAND_BYTES]),
  base64Bytes(MAX_APPEND_BYTES_LIMIT) + 64 * (ENTRY_WIRE_OVERHEAD + MESSAGE_WIRE_OVERHEAD),
  12 * 1024 * 1024,
);

/** One request per batch: the fallback while a peer's stream is down or refused. */
export const RAFT_MESSAGES_PATH = '/internal/raft/messages';
/** A batch with room for the JSON array around it. */
export const RAFT_MESSAGES_BODY_LIMIT = BATCH_WIRE_BYTES + 64 * 1024;

/** A follower's write forwarded to the leader: `{"command": ...}`, the command at most MAX_COMMAND_BYTES. */
export const RAFT_PROPOSE_PATH = '/internal/raft/propose';
export const RAFT_PROPOSE_BODY_LIMIT = MAX_COMMAND_BYTES + 64 * 1024;

/**
 * A snapshot, a chunk per request (raw bytes, application/octet-stream), in order; what the
 * snapshot is (sender, term, index, membership, total size, offset) travels in headers.
 */
export const RAFT_SNAPSHOT_PATH = '/internal/raft/snapshot';
export const RAFT_SNAPSHOT_CONTENT_TYPE = 'application/octet-stream';
export const RAFT_SNAPSHOT_HEADER = 'x-raft-snapshot';
export const RAFT_SNAPSHOT_OFFSET_HEADER = 'x-raft-snapshot-offset';
export const RAFT_SNAPSHOT_TOTAL_HEADER = 'x-raft-snapshot-total';
/** Upper bound of RAFT_SNAPSHOT_CHUNK_BYTES. */
export const MAX_SNAPSHOT_CHUNK_BYTES = 4 * 1024 * 1024;

/** Any other internal route takes small bodies only. */
export const INTERNAL_DEFAULT_BODY_LIMIT = 64 * 1024;

/**
 * One long-lived request per directed link i -> j carrying only i's messages to j, a frame per
 * batch: `encodeMessages(batch) + '\n'`. The receiver answers 200 at once (the sender then knows
 * the stream was accepted), acknowledges frames on the response body, and ends it with the stream.
 */
export const RAFT_STREAM_PATH = '/internal/raft/stream';
export const RAFT_STREAM_CONTENT_TYPE = 'application/x-ndjson';
/** A frame is one batch: the same bound as a messages request. */
export const MAX_FRAME_BYTES = RAFT_MESSAGES_BODY_LIMIT;
/** The receiver acknowledges received frames at most this often (one small write per interval). */
export const STREAM_ACK_INTERVAL_MS = 500;

/** Response lines of a stream: the acceptance, acknowledgements, and the last line. */
export interface StreamAck {
  frames: number;
}

/** A read worker's route for everything under /internal/ but the stream: the largest limit (the node applies its own). */
export const INTERNAL_WILDCARD_PATH = `${INTERNAL_PREFIX}*`;

/** The body limit of an internal route (the stream's body is not buffered: its frames are bounded). */
export function internalBodyLimit(routeUrl: string): number {
  switch (routeUrl) {
    case INTERNAL_WILDCARD_PATH:
    case RAFT_MESSAGES_PATH:
    case RAFT_STREAM_PATH:
      return RAFT_MESSAGES_BODY_LIMIT;
    case RAFT_PROPOSE_PATH:
      return RAFT_PROPOSE_BODY_LIMIT;
    case RAFT_SNAPSHOT_PATH:
      return MAX_SNAPSHOT_CHUNK_BYTES;
    default:
      return INTERNAL_DEFAULT_BODY_LIMIT;
  }
}

/** What the public edge guards need to know of the node-to-node routes (http-hardening.ts). */
export const NODE_TO_NODE_ROUTES = {
  longLivedRoutes: new Set([RAFT_STREAM_PATH]),
  ownBodyTimeoutPrefix: INTERNAL_PREFIX,
};
