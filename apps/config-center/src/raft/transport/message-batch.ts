import { Message } from '@cc/raft';
import { appendWireBytes, BATCH_WIRE_BYTES } from './raft-wire';

const MESSAGES_PER_BATCH = 512;

/** At least what the message takes once encoded (base64 entries, JSON fields). */
export function wireBytes(message: Message): number {
  if (message.type === 'append') return appendWireBytes(message.entries.map((e) => e.data.length));
  if (message.type === 'snapshot') return appendWireBytes([message.snapshot.data.length]);
  return appendWireBytes([]);
}

/**
 * Takes the next batch off the queue: at least one message, then more while the count and the
 * byte budget (BATCH_WIRE_BYTES, which the receiving route's body limit is sized for) allow.
 */
export function takeBatch(queue: Message[]): Message[] {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < MESSAGES_PER_BATCH) {
    bytes += wireBytes(queue[count]);
    if (count > 0 && bytes > BATCH_WIRE_BYTES) break;
    count++;
  }
  return queue.splice(0, count);
}

const MAX_QUEUED = 10_000;

/** Beyond MAX_QUEUED messages a peer is not keeping up: drops the oldest (Raft tolerates loss). */
export function dropOldest(queue: Message[]): void {
  if (queue.length > MAX_QUEUED) queue.splice(0, queue.length - MAX_QUEUED);
}

/** After a failed request only the newest messages are worth another attempt. */
export function keepNewest(queue: Message[]): void {
  queue.splice(0, Math.max(0, queue.length - MESSAGES_PER_BATCH));
}
