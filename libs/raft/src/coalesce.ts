import type { AppendRequest, AppendResponse, Message, NodeId } from './types';

/**
 * Fewer, larger messages for one Ready. Between two Readies a leader answers every proposal and
 * every commit advance with an append to each follower, and a follower answers every append:
 * under load that is dozens of messages per Ready, each paid for on the wire and in `step`.
 *  - Consecutive appends to one peer in one term, where each continues the previous one's
 *    entries, become one append (`commit` = the latest), up to `maxEntries` entries and
 *    `maxBytes` of entry data (an append already above it stays as it is). Receiving
 *    it is exactly receiving them in order.
 *  - Successful append acknowledgements to one peer in one term become the last of them, with
 *    the highest index: an acknowledgement is cumulative (the leader keeps the maximum).
 * Everything else keeps its place and order.
 */
export function coalesceMessages(
  messages: Message[],
  maxEntries: number,
  maxBytes = Infinity,
): Message[] {
  if (messages.length < 2) return messages;
  const lastAppendTo = new Map<NodeId, number>();
  const lastAckTo = new Map<NodeId, number>();
  const out: Array<Message | undefined> = [];
  for (const message of messages) {
    const position = out.length;
    if (message.type === 'append') {
      const earlier = lastAppendTo.get(message.to);
      const merged =
        earlier === undefined
          ? undefined
          : mergeAppends(out[earlier] as AppendRequest, message, maxEntries, maxBytes);
      if (merged && earlier !== undefined) {
        out[earlier] = merged;
        continue;
      }
      out.push(message);
      lastAppendTo.set(message.to, position);
      continue;
    }
    // Any other message to the peer ends the run of appends that may merge.
    lastAppendTo.delete(message.to);
    if (message.type === 'appendResp' && !message.reject) {
      const earlier = lastAckTo.get(message.to);
      const previous = earlier === undefined ? undefined : (out[earlier] as AppendResponse);
      if (earlier !== undefined && previous?.term === message.term) {
        out[earlier] = undefined;
        out.push(message.index >= previous.index ? message : previous);
      } else {
        out.push(message);
      }
      lastAckTo.set(message.to, position);
      continue;
    }
    out.push(message);
  }
  return out.filter((message): message is Message => message !== undefined);
}

function mergeAppends(
  first: AppendRequest,
  next: AppendRequest,
  maxEntries: number,
  maxBytes: number,
): AppendRequest | undefined {
  if (first.term !== next.term) return undefined;
  const last = first.entries.at(-1);
  const lastIndex = last ? last.index : first.prevLogIndex;
  const lastTerm = last ? last.term : first.prevLogTerm;
  if (next.prevLogIndex !== lastIndex || next.prevLogTerm !== lastTerm) return undefined;
  if (first.entries.length + next.entries.length > maxEntries) return undefined;
  if (next.entries.length > 0 && dataBytes(first) + dataBytes(next) > maxBytes) return undefined;
  return {
    ...first,
    entries: next.entries.length === 0 ? first.entries : [...first.entries, ...next.entries],
    commit: Math.max(first.commit, next.commit),
  };
}

function dataBytes(append: AppendRequest): number {
  return append.entries.reduce((sum, entry) => sum + entry.data.byteLength, 0);
}
