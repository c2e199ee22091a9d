import { Message } from '@cc/raft';
import { MAX_COMMAND_BYTES } from '../../state/commands';
import { takeBatch, wireBytes } from './message-batch';
import { encodeMessages } from './message-codec';
import { RAFT_MESSAGES_BODY_LIMIT } from './raft-wire';

const LONG_ID = 'n'.repeat(64);

function append(entrySizes: number[], startIndex = 1_000_000_000): Message {
  return {
    type: 'append',
    from: LONG_ID,
    to: `${LONG_ID.slice(1)}x`,
    term: 123_456_789,
    prevLogIndex: startIndex - 1,
    prevLogTerm: 123_456_789,
    commit: startIndex + entrySizes.length,
    entries: entrySizes.map((size, i) => ({
      index: startIndex + i,
      term: 123_456_789,
      type: 'normal',
      data: new Uint8Array(size).fill(0xff),
    })),
  } as Message;
}

describe('message batches fit the messages route body limit', () => {
  it('never counts a message below its encoding', () => {
    for (const sizes of [[], [0], [1, 2, 3], Array(64).fill(0), [100_000, 7, 1 << 20]]) {
      const message = append(sizes);
      expect(wireBytes(message)).toBeGreaterThanOrEqual(encodeMessages([message]).length);
    }
  });

  it('a batch of the largest messages a leader sends stays under the limit', () => {
    // One write entry of the largest size, then appends of 1 MiB of small entries.
    const queue: Message[] = [
      append([MAX_COMMAND_BYTES]),
      ...Array.from({ length: 20 }, () => append(Array(64).fill(16 * 1024))),
    ];
    while (queue.length > 0) {
      const body = encodeMessages(takeBatch(queue));
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(RAFT_MESSAGES_BODY_LIMIT);
    }
  });
});
