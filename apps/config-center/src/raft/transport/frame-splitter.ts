import { BadParameter } from '@cc/common';

const NEWLINE = 0x0a;

/**
 * Cuts a byte stream into newline-terminated frames, whatever the chunking: a frame may span
 * chunks and a chunk may hold several frames. Works on bytes, so a multi-byte character split
 * between chunks is never decoded half-way (0x0a never occurs inside a UTF-8 sequence).
 */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** The frames this chunk completes, without their newline; empty lines are skipped. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const tail = chunk.subarray(start, end);
      const frame =
        this.pendingBytes === 0
          ? tail
          : Buffer.concat([...this.pending, tail], this.pendingBytes + tail.length);
      this.pending = [];
      this.pendingBytes = 0;
      this.checkSize(frame.length);
      if (frame.length > 0) frames.push(frame);
      start = end + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.checkSize(this.pendingBytes + rest.length);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return frames;
  }

  /** Bytes of an incomplete frame held back for the next chunk. */
  get buffered(): number {
    return this.pendingBytes;
  }

  private checkSize(bytes: number): void {
    if (bytes > this.maxFrameBytes)
      throw new BadParameter(`a frame exceeds ${this.maxFrameBytes} bytes`, 'frame too large');
  }
}
