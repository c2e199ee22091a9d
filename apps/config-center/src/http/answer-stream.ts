import { ServerResponse } from 'node:http';
import { Readable, Transform, TransformCallback } from 'node:stream';

/**
 * Slices handed to the socket one at a time. Views into the answer, never copies: a reader that
 * stops reading holds a reference to the (shared) answer and at most one slice in its socket.
 */
export const ANSWER_SLICE_BYTES = 64 * 1024;

/**
 * Bytes all answers of this process hand to sockets in one turn of the event loop. A burst of
 * new readers makes the kernel take megabytes per connection before it pushes back; spread over
 * turns, that copying never holds a health probe for long.
 */
const TURN_BUDGET_BYTES = 2 * 1024 * 1024;
let bytesThisTurn = 0;
let turnResetQueued = false;

function spend(bytes: number): void {
  bytesThisTurn += bytes;
  if (turnResetQueued) return;
  turnResetQueued = true;
  setImmediate(() => {
    bytesThisTurn = 0;
    turnResetQueued = false;
  });
}

/**
 * Destroys the connection of a response that made no progress for `timeoutMs`: a reader that
 * stops reading is dropped, and whatever it held is released. Progress is reported by the stream
 * that feeds the response; the watch ends when the response is finished or closed.
 */
class StallWatch {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.drop(), timeoutMs);
    this.timer.unref();
    const stop = (): void => clearTimeout(this.timer);
    response.once('finish', stop);
    response.once('close', stop);
  }

  progressed(): void {
    this.timer.refresh();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private drop(): void {
    if (this.response.writableFinished) return;
    // A reset, not a FIN: a FIN would queue behind the unread bytes, and the kernel would keep
    // them (megabytes per reader) in an orphaned socket for minutes. Our slices go with it.
    this.response.socket?.resetAndDestroy();
    this.response.destroy();
  }
}

/**
 * An answer made of byte parts (e.g. an envelope's head, a shared `data`, its tail) streamed with
 * backpressure in slices. `_read` is only called when the socket took the previous slice, so each
 * call is progress for the stall watch.
 */
export class SlicedAnswer extends Readable {
  private part = 0;
  private offset = 0;
  private readonly watch: StallWatch;
  readonly byteLength: number;

  constructor(
    private readonly parts: readonly Buffer[],
    response: ServerResponse,
    stallTimeoutMs: number,
  ) {
    super({ highWaterMark: ANSWER_SLICE_BYTES });
    this.byteLength = parts.reduce((sum, part) => sum + part.length, 0);
    this.watch = new StallWatch(response, stallTimeoutMs);
  }

  override _read(): void {
    this.watch.progressed();
    setImmediate(() => this.pushSlice());
  }

  /** One slice per turn of the event loop, within the process's budget for the turn. */
  private pushSlice(): void {
    if (this.destroyed) return;
    if (bytesThisTurn >= TURN_BUDGET_BYTES) {
      setImmediate(() => this.pushSlice());
      return;
    }
    while (this.part < this.parts.length) {
      const current = this.parts[this.part];
      if (this.offset >= current.length) {
        this.part++;
        this.offset = 0;
        continue;
      }
      const end = Math.min(current.length, this.offset + ANSWER_SLICE_BYTES);
      const slice = current.subarray(this.offset, end);
      this.offset = end;
      spend(slice.length);
      this.push(slice);
      return;
    }
    this.push(null);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.watch.stop();
    callback(error);
  }
}

/**
 * Passes a proxied answer on unchanged and drops the client that stops reading it. A Transform is
 * only handed the next chunk when its reader took the previous ones, so each chunk is progress;
 * its small buffers keep what waits per stalled client bounded (the upstream is paused).
 */
export class StallGuard extends Transform {
  private readonly watch: StallWatch;

  constructor(response: ServerResponse, stallTimeoutMs: number) {
    super({ highWaterMark: ANSWER_SLICE_BYTES });
    this.watch = new StallWatch(response, stallTimeoutMs);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.watch.progressed();
    callback(null, chunk);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.watch.stop();
    callback(error);
  }
}
