/** One Server-Sent Events frame (https://html.spec.whatwg.org/multipage/server-sent-events.html). */
export interface SseFrame {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * Incremental parser of an event stream: feed it chunks as they arrive, it answers the frames
 * completed by each. Comments (heartbeats) are dropped; `\n`, `\r\n` and `\r` end lines.
 * `maxFrameBytes` bounds what a misbehaving server can make the client buffer.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  private readonly decoder = new TextDecoder();

  constructor(private readonly maxFrameBytes = 64 * 1024 * 1024) {}

  push(chunk: Uint8Array | string): SseFrame[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const frames: SseFrame[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A lone \r at the end of the buffer may be the first half of \r\n: wait for more.
      if (this.buffer[end] === '\r' && end === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, end);
      const width = this.buffer.startsWith('\r\n', end) ? 2 : 1;
      this.buffer = this.buffer.slice(end + width);
      const frame = this.line(line);
      if (frame) frames.push(frame);
    }
    if (this.buffer.length + this.data.reduce((n, d) => n + d.length, 0) > this.maxFrameBytes) {
      throw new Error(`an event stream frame exceeded ${this.maxFrameBytes} bytes`);
    }
    return frames;
  }

  private line(line: string): SseFrame | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return undefined;
  }

  private dispatch(): SseFrame | undefined {
    const frame =
      this.data.length > 0
        ? { event: this.event || 'message', data: this.data.join('\n'), id: this.id }
        : undefined;
    this.event = '';
    this.data = [];
    return frame;
  }
}
