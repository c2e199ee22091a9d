import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nowSeconds } from '@cc/common';
import { ANSWER_SLICE_BYTES, SlicedAnswer } from './answer-stream';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The serialized `data` of an answer as byte parts, the large ones shared by every request at
 * the same revision. Sent by `sharedAnswer`, which splices it into the request's envelope
 * without copying it, in the byte layout `JSON.stringify(successEnvelope(data))` has.
 */
export class SharedJson {
  constructor(readonly parts: readonly Buffer[]) {}
}

/** The envelope around a shared `data`, as a stream for `reply.send`. */
export function sharedAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  data: SharedJson,
  stallTimeoutMs: number,
  message = 'success',
): SlicedAnswer {
  const head = Buffer.from(`{"code":0,"message":${JSON.stringify(message)},"data":`);
  const tail = Buffer.from(
    `,"request_id":${JSON.stringify(request.id)},"timestamp":${nowSeconds()}}`,
  );
  const answer = new SlicedAnswer([head, ...data.parts, tail], reply.raw, stallTimeoutMs);
  void reply.header('content-type', JSON_CONTENT_TYPE);
  void reply.header('content-length', answer.byteLength);
  return answer;
}

/**
 * Every other large answer (a page, a proxied error) is streamed in slices too, so a reader that
 * stops reading is dropped after `stallTimeoutMs` and releases it; small answers go as they are.
 */
export function installAnswerStreaming(fastify: FastifyInstance, stallTimeoutMs: number): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    // Most answers are small: a string of n UTF-16 units has at most 3n bytes.
    if (typeof payload === 'string' && payload.length * 3 <= ANSWER_SLICE_BYTES)
      return done(null, payload);
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
      if (bytes > ANSWER_SLICE_BYTES) {
        const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
        void reply.header('content-length', body.length);
        return done(null, new SlicedAnswer([body], reply.raw, stallTimeoutMs));
      }
    }
    done(null, payload);
  });
}

/** Serialized parts cached per key (a namespace id) and revision: built once, then shared. */
export class PerRevisionCache {
  private readonly entries = new Map<number, { revision: number; value: Buffer }>();
  private bytes = 0;

  /** `maxBytes` bounds what stays cached; what readers still send is theirs until they finish. */
  constructor(private readonly maxBytes = 512 * 1024 * 1024) {}

  get(key: number, revision: number, build: () => Buffer): Buffer {
    const cached = this.entries.get(key);
    if (cached?.revision === revision) return cached.value;
    const value = build();
    this.forget(key);
    if (this.bytes + value.length > this.maxBytes) this.clear();
    this.entries.set(key, { revision, value });
    this.bytes += value.length;
    return value;
  }

  private forget(key: number): void {
    const cached = this.entries.get(key);
    if (!cached) return;
    this.bytes -= cached.value.length;
    this.entries.delete(key);
  }

  private clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
