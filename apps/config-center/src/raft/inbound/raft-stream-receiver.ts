import { Readable, Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { AppError, ErrorEnvelope, errorEnvelope } from '@cc/common';
import { Message } from '@cc/raft';
import { mapAndLog } from '../../http/error-mapping';
import { FrameSplitter } from '../transport/frame-splitter';
import { decodeFrame } from '../transport/message-codec';
import { MAX_FRAME_BYTES, STREAM_ACK_INTERVAL_MS, StreamAck } from '../transport/raft-wire';

const log = new Logger('RaftStream');

/**
 * The receiving side of one Raft stream: reads the request body as it arrives, hands every
 * frame's messages to `deliver`, and writes response lines: `{"frames":n}` at once (the stream
 * is accepted), again at most every STREAM_ACK_INTERVAL_MS while frames arrive (the sender's
 * proof of life), and last when the stream ends, as an error envelope if it failed.
 */
export class StreamReceiver {
  private readonly splitter = new FrameSplitter(MAX_FRAME_BYTES);
  private frames = 0;
  private ackTimer: NodeJS.Timeout | null = null;
  private done = false;

  constructor(
    private readonly body: Readable,
    private readonly response: Writable,
    private readonly deliver: (messages: Message[]) => void,
    private readonly requestId: string,
    /** `failure` when this side ended the stream for a reason (a malformed frame, shutdown). */
    private readonly onEnd: (failure: AppError | null) => void,
  ) {}

  start(): void {
    // The response may be torn down with the connection; a late write must not throw.
    this.response.on('error', () => undefined);
    this.writeLine({ frames: 0 });
    this.body.on('data', (chunk: Buffer) => this.receive(chunk));
    this.body.on('end', () => this.finish(null));
    this.body.on('error', () => this.finish(null));
    this.body.on('close', () => this.finish(null));
  }

  /** Ends the stream from this side; the sender reconnects. */
  fail(failure: AppError): void {
    this.finish(failure);
  }

  get framesReceived(): number {
    return this.frames;
  }

  private receive(chunk: Buffer): void {
    if (this.done) return;
    const messages: Message[] = [];
    let failure: AppError | null = null;
    try {
      for (const frame of this.splitter.push(chunk)) {
        for (const message of decodeFrame(frame)) messages.push(message);
        this.frames++;
      }
    } catch (error) {
      failure = mapAndLog(error, this.requestId, log);
    }
    try {
      if (messages.length > 0) this.deliver(messages);
    } catch (error) {
      failure ??= mapAndLog(error, this.requestId, log);
    }
    if (failure) this.finish(failure);
    else this.scheduleAck();
  }

  private scheduleAck(): void {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.writeLine({ frames: this.frames });
    }, STREAM_ACK_INTERVAL_MS);
  }

  private finish(failure: AppError | null): void {
    if (this.done) return;
    this.done = true;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    this.writeLine(
      failure
        ? errorEnvelope(failure.code, failure.message, this.requestId, failure.details)
        : { frames: this.frames },
    );
    if (!this.response.writableEnded) this.response.end();
    this.onEnd(failure);
  }

  private writeLine(line: StreamAck | ErrorEnvelope): void {
    if (this.response.writableEnded || this.response.destroyed) return;
    this.response.write(`${JSON.stringify(line)}\n`);
  }
}
