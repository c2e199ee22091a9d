import { BadParameter } from '@cc/common';
import { Entry, Message, Snapshot } from '@cc/raft';

/** Raft messages on the wire: JSON, with entry and snapshot bytes in base64. */
type WireEntry = Omit<Entry, 'data'> & { data: string };
type WireSnapshot = Omit<Snapshot, 'data'> & { data: string };

const MESSAGE_TYPES = new Set([
  'vote',
  'preVote',
  'voteResp',
  'preVoteResp',
  'append',
  'appendResp',
  'heartbeat',
  'heartbeatResp',
  'snapshot',
  'timeoutNow',
  'readIndex',
  'readIndexResp',
]);

const toBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

export function encodeMessages(messages: readonly Message[]): string {
  return JSON.stringify(
    messages.map((message) => {
      if (message.type === 'append') {
        return {
          ...message,
          entries: message.entries.map((entry): WireEntry => ({
            ...entry,
            data: toBase64(entry.data),
          })),
        };
      }
      if (message.type === 'snapshot') {
        return {
          ...message,
          snapshot: {
            ...message.snapshot,
            data: toBase64(message.snapshot.data),
          } satisfies WireSnapshot,
        };
      }
      return message;
    }),
  );
}

/** Checks the shape a peer sent; the cluster secret already vouched for the sender. */
export function decodeMessages(body: unknown): Message[] {
  if (!Array.isArray(body)) throw new BadParameter('raft messages must be a JSON array');
  return body.map((raw: unknown, position) => {
    const message = raw as Record<string, unknown>;
    if (
      typeof message !== 'object' ||
      message === null ||
      !MESSAGE_TYPES.has(message.type as string) ||
      typeof message.from !== 'string' ||
      typeof message.to !== 'string' ||
      typeof message.term !== 'number'
    ) {
      throw new BadParameter(`raft message ${position} is malformed`);
    }
    if (message.type === 'append') {
      const entries = message.entries as WireEntry[];
      return {
        ...message,
        entries: entries.map((entry) => ({ ...entry, data: fromBase64(entry.data) })),
      } as unknown as Message;
    }
    if (message.type === 'snapshot') {
      const snapshot = message.snapshot as WireSnapshot;
      return {
        ...message,
        snapshot: { ...snapshot, data: fromBase64(snapshot.data) },
      } as unknown as Message;
    }
    return message as unknown as Message;
  });
}

/** One stream frame (the bytes of what `encodeMessages` wrote, without the newline). */
export function decodeFrame(frame: Buffer): Message[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new BadParameter('a raft stream frame is not JSON');
  }
  return decodeMessages(parsed);
}
