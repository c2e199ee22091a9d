import { BadParameter } from '@cc/common';
import { InstallSnapshot } from '@cc/raft';
import { decodeMessages, encodeMessages } from './message-codec';

/** The largest snapshot a node takes (its data, reassembled in memory before it is installed). */
export const MAX_SNAPSHOT_BYTES = 1024 * 1024 * 1024;
/** A partial transfer with no chunk for this long is dropped (the leader sends it again). */
export const SNAPSHOT_TRANSFER_IDLE_MS = 60_000;

/** One chunk of a snapshot as it travels: the message without its data, then a slice of the data. */
export interface SnapshotChunk {
  /** The sending node; one transfer per sender at a time. */
  from: string;
  /** The InstallSnapshot message without its data (same on every chunk of one transfer). */
  header: string;
  total: number;
  offset: number;
  data: Buffer;
}

/** The header of a snapshot's chunks: the message, data left out, as base64url JSON. */
export function snapshotHeader(message: InstallSnapshot): string {
  const empty = { ...message, snapshot: { ...message.snapshot, data: new Uint8Array(0) } };
  return Buffer.from(encodeMessages([empty])).toString('base64url');
}

/** Slices a snapshot message into chunks of at most `chunkBytes` (one chunk for an empty one). */
export function* snapshotChunks(
  message: InstallSnapshot,
  chunkBytes: number,
): Generator<Omit<SnapshotChunk, 'from'>> {
  const header = snapshotHeader(message);
  const bytes = message.snapshot.data;
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  do {
    const end = Math.min(data.length, offset + chunkBytes);
    yield { header, total: data.length, offset, data: data.subarray(offset, end) };
    offset = end;
  } while (offset < data.length);
}

/** A reassembled snapshot and how many chunks brought it. */
export interface AssembledSnapshot {
  message: InstallSnapshot;
  chunks: number;
}

interface Transfer {
  chunks: number;
  header: string;
  message: InstallSnapshot;
  total: number;
  received: number;
  parts: Buffer[];
  timer: NodeJS.Timeout;
}

/**
 * The receiving side: reassembles each sender's chunks, in order, bounded by the size the
 * first chunk declared, and hands back the whole InstallSnapshot message once the last chunk is
 * in. A chunk out of order, of another snapshot, or past the declared size is refused and
 * drops the partial transfer; so does a new snapshot from the same sender (offset 0) and a
 * transfer idle for `idleMs`. The leader sends a lost snapshot again (libs/raft).
 */
export class SnapshotAssembler {
  private readonly transfers = new Map<string, Transfer>();

  constructor(
    private readonly idleMs = SNAPSHOT_TRANSFER_IDLE_MS,
    private readonly maxBytes = MAX_SNAPSHOT_BYTES,
  ) {}

  /** The message when this chunk completes its snapshot, else null. Throws 40001 when refused. */
  receive(chunk: SnapshotChunk): AssembledSnapshot | null {
    const { from, total, offset } = chunk;
    if (!Number.isSafeInteger(total) || total < 0 || total > this.maxBytes)
      throw refused(`a snapshot declares ${total} bytes; at most ${this.maxBytes}`);
    let transfer = this.transfers.get(from);
    if (offset === 0) {
      this.drop(from);
      transfer = this.start(from, chunk.header, parseHeader(chunk.header), total);
    } else if (
      !transfer ||
      transfer.header !== chunk.header ||
      transfer.total !== total ||
      transfer.received !== offset
    ) {
      const expected = transfer ? transfer.received : 0;
      this.drop(from);
      throw refused(
        `snapshot chunk at offset ${offset} out of order (expected ${expected}); transfer dropped`,
      );
    }
    if (transfer.received + chunk.data.length > total) {
      this.drop(from);
      throw refused(`snapshot chunks pass the declared ${total} bytes; transfer dropped`);
    }
    transfer.parts.push(chunk.data);
    transfer.received += chunk.data.length;
    transfer.chunks++;
    transfer.timer.refresh();
    if (transfer.received < total) return null;
    this.drop(from);
    const data = Buffer.concat(transfer.parts, total);
    const message = { ...transfer.message, snapshot: { ...transfer.message.snapshot, data } };
    return { message, chunks: transfer.chunks };
  }

  /** Partial transfers held (tests, metrics). */
  get pending(): number {
    return this.transfers.size;
  }

  /** Drops every partial transfer (shutdown). */
  clear(): void {
    for (const from of [...this.transfers.keys()]) this.drop(from);
  }

  private start(from: string, header: string, message: InstallSnapshot, total: number): Transfer {
    const timer = setTimeout(() => this.drop(from), this.idleMs);
    timer.unref();
    const transfer = { chunks: 0, header, message, total, received: 0, parts: [], timer };
    this.transfers.set(from, transfer);
    return transfer;
  }

  private drop(from: string): void {
    const transfer = this.transfers.get(from);
    if (!transfer) return;
    clearTimeout(transfer.timer);
    this.transfers.delete(from);
  }
}

function parseHeader(header: string): InstallSnapshot {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    throw refused('the snapshot header is not base64url JSON');
  }
  const messages = decodeMessages(decoded);
  const [message] = messages;
  if (messages.length !== 1 || message?.type !== 'snapshot')
    throw refused('the snapshot header is not one InstallSnapshot message');
  return message;
}

/** 40001 with the reason as the message (the sender logs it). */
function refused(reason: string): BadParameter {
  return new BadParameter(reason, reason);
}
