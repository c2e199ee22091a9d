import { EventEmitter } from 'node:events';
import { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { ANSWER_SLICE_BYTES, SlicedAnswer } from './answer-stream';

/** A response stand-in: the stall watch only listens for finish/close and resets the socket. */
function fakeResponse() {
  const response = new EventEmitter() as EventEmitter & {
    writableFinished: boolean;
    socket: { resetAndDestroy: jest.Mock };
    destroy: jest.Mock;
  };
  response.writableFinished = false;
  response.socket = { resetAndDestroy: jest.fn() };
  response.destroy = jest.fn();
  return response;
}

describe('SlicedAnswer', () => {
  it('sends its parts in order, in slices that are views of them (no copies)', async () => {
    const shared = Buffer.alloc(ANSWER_SLICE_BYTES * 2 + 10, 7);
    const parts = [Buffer.from('{"a":'), shared, Buffer.from('}')];
    const response = fakeResponse();
    const answer = new SlicedAnswer(parts, response as unknown as ServerResponse, 10_000);
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) =>
      answer
        .pipe(
          new Writable({
            write(chunk: Buffer, _encoding, done) {
              chunks.push(chunk);
              done();
            },
          }),
        )
        .on('finish', resolve),
    );
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat(parts));
    expect(answer.byteLength).toBe(Buffer.concat(parts).length);
    const fromShared = chunks.filter((chunk) => chunk.buffer === shared.buffer);
    expect(fromShared.length).toBe(3);
    response.emit('finish');
  });

  it('resets the connection of a reader that takes nothing for the stall timeout', async () => {
    const response = fakeResponse();
    const answer = new SlicedAnswer(
      [Buffer.alloc(ANSWER_SLICE_BYTES * 4)],
      response as unknown as ServerResponse,
      50,
    );
    answer.resume();
    answer.pause(); // a reader that stopped
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(response.socket.resetAndDestroy).toHaveBeenCalledTimes(1);
    answer.destroy();
  });

  it('leaves a finished answer alone', async () => {
    const response = fakeResponse();
    const answer = new SlicedAnswer([Buffer.from('{}')], response as unknown as ServerResponse, 50);
    response.writableFinished = true;
    response.emit('finish');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(response.socket.resetAndDestroy).not.toHaveBeenCalled();
    answer.destroy();
  });
});
