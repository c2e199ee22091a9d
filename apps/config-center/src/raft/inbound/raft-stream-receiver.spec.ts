import { PassThrough } from 'node:stream';
import { AppError, ServiceUnavailable } from '@cc/common';
import { Message } from '@cc/raft';
import { encodeMessages } from '../transport/message-codec';
import { StreamReceiver } from './raft-stream-receiver';
import { MAX_FRAME_BYTES, STREAM_ACK_INTERVAL_MS } from '../transport/raft-wire';

const heartbeat = (term: number): Message => ({
  type: 'heartbeat',
  from: 'n1',
  to: 'n2',
  term,
  commit: term,
  readContext: undefined,
});

const append = (index: number, value: string): Message => ({
  type: 'append',
  from: 'n1',
  to: 'n2',
  term: 3,
  prevLogIndex: index - 1,
  prevLogTerm: 3,
  commit: index - 1,
  entries: [{ index, term: 3, type: 'normal', data: new TextEncoder().encode(value) }],
});

const frame = (messages: Message[]) => `${encodeMessages(messages)}\n`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A receiver on in-memory streams: what it delivers, the lines it answers, how it ended. */
function receiverUnderTest() {
  const body = new PassThrough();
  const response = new PassThrough();
  const delivered: Message[][] = [];
  const ends: Array<AppError | null> = [];
  let answer = '';
  response.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
  const receiver = new StreamReceiver(
    body,
    response,
    (messages) => delivered.push(messages),
    'req-1',
    (failure) => ends.push(failure),
  );
  receiver.start();
  const lines = () =>
    answer
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { body, response, delivered, ends, lines, receiver };
}

describe('StreamReceiver', () => {
  it('accepts at once, then delivers frames split across chunks with their bytes intact', async () => {
    const { body, delivered, lines } = receiverUnderTest();
    expect(lines()).toEqual([{ frames: 0 }]);
    const bytes = Buffer.from(frame([append(7, 'héllo')]) + frame([heartbeat(3), heartbeat(4)]));
    for (let i = 0; i < bytes.length; i += 5) body.write(bytes.subarray(i, i + 5));
    await sleep(10);
    const messages = delivered.flat();
    expect(messages.map((message) => message.type)).toEqual(['append', 'heartbeat', 'heartbeat']);
    const first = messages[0] as Extract<Message, { type: 'append' }>;
    expect(new TextDecoder().decode(first.entries[0].data)).toBe('héllo');
    expect(first.entries[0].data).toBeInstanceOf(Uint8Array);
  });

  it('delivers the messages of several frames in one chunk together', async () => {
    const { body, delivered } = receiverUnderTest();
    body.write(frame([heartbeat(1)]) + frame([heartbeat(2)]) + frame([heartbeat(3)]));
    await sleep(10);
    expect(delivered).toHaveLength(1);
    expect(delivered[0].map((message) => message.term)).toEqual([1, 2, 3]);
  });

  it('acknowledges received frames within the ack interval, with one write for many frames', async () => {
    const { body, lines } = receiverUnderTest();
    for (let term = 1; term <= 20; term++) body.write(frame([heartbeat(term)]));
    await sleep(STREAM_ACK_INTERVAL_MS + 100);
    expect(lines()).toEqual([{ frames: 0 }, { frames: 20 }]);
  });

  it('ends with an error envelope on a malformed frame, after delivering the frames before it', async () => {
    const { body, response, delivered, ends, lines, receiver } = receiverUnderTest();
    body.write(frame([heartbeat(1)]) + '{"not": "an array"}\n' + frame([heartbeat(2)]));
    await sleep(10);
    expect(delivered.flat().map((message) => message.term)).toEqual([1]);
    expect(receiver.framesReceived).toBe(1);
    expect(ends).toHaveLength(1);
    expect(ends[0]?.code).toBe(40001);
    const last = lines().at(-1);
    expect(last).toMatchObject({ code: 40001, request_id: 'req-1' });
    expect(response.writableEnded).toBe(true);
    // Whatever still arrives is ignored.
    body.write(frame([heartbeat(3)]));
    await sleep(10);
    expect(delivered.flat()).toHaveLength(1);
  });

  it('ends on a frame that is not JSON', async () => {
    const { body, ends, lines } = receiverUnderTest();
    body.write('[{"type":"heartbeat"\n');
    await sleep(10);
    expect(ends[0]?.code).toBe(40001);
    expect(lines().at(-1)).toMatchObject({ error: { details: 'a raft stream frame is not JSON' } });
  });

  it('ends on a frame larger than a batch may be, without holding more than that', async () => {
    const { body, ends, lines } = receiverUnderTest();
    const piece = Buffer.alloc(1024 * 1024, 0x20);
    for (let sent = 0; sent <= MAX_FRAME_BYTES && ends.length === 0; sent += piece.length) {
      body.write(piece);
      await sleep(0);
    }
    expect(MAX_FRAME_BYTES).toBeLessThan(16 * 1024 * 1024);
    expect(ends[0]?.code).toBe(40001);
    expect(JSON.stringify(lines().at(-1))).toMatch(/frame too large/);
  });

  it('answers a last acknowledgement when the sender ends the stream', async () => {
    const { body, response, ends, lines } = receiverUnderTest();
    body.end(frame([heartbeat(1)]) + frame([heartbeat(2)]));
    await sleep(10);
    expect(ends).toEqual([null]);
    expect(lines().at(-1)).toEqual({ frames: 2 });
    expect(response.writableEnded).toBe(true);
  });

  it('can be ended from this side (shutdown)', async () => {
    const { ends, lines, receiver } = receiverUnderTest();
    receiver.fail(new ServiceUnavailable('this node is shutting down'));
    await sleep(10);
    expect(ends[0]?.message).toBe('this node is shutting down');
    expect(lines().at(-1)).toMatchObject({ code: 50301 });
  });
});
