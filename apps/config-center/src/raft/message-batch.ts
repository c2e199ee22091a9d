import { Message } from '@cc/raft';

const MESSAGES_PER_BATCH = 512;
/** Keeps a request well below the messages route's body limit (base64 grows payloads by 4/3). */
const BYTES_PER_BATCH = 16 * 1024 * 1024;

function payloadBytes(message: Message): number {
  if (message.type === 'append')
    return message.entries.reduce((sum, entry) => sum + entry.data.length, 256);
  if (message.type === 'snapshot') return message.snapshot.data.length + 256;
  return 256;
}

/** Takes the next batch off the queue: at least one message, then up to the count and byte budget. */
export function takeBatch(queue: Message[]): Message[] {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < MESSAGES_PER_BATCH) {
    bytes += Math.ceil((payloadBytes(queue[count]) * 4) / 3);
    if (count > 0 && bytes > BYTES_PER_BATCH) break;
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
