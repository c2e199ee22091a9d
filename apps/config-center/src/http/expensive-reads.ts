import { ServerResponse } from 'node:http';
import { FastifyInstance } from 'fastify';
import { CallContext } from '@cc/resource';
import { ServerBusy } from '@cc/common';

/** An answer above this many bytes that is built for one request (not shared) is expensive. */
export const EXPENSIVE_ANSWER_BYTES = 1024 * 1024;

/** What a client told 50301 is asked to wait. */
export const EXPENSIVE_RETRY_AFTER_SECONDS = 2;

/** A context that can take a slot for expensive work; callers outside HTTP have none. */
export interface ExpensiveWorkContext extends CallContext {
  /** Takes a slot until the answer is sent or dropped; throws ServerBusy (50301) when none is free. */
  enterExpensive?: () => void;
}

/**
 * Bounds the requests of one process that hold a large answer of their own (a page of versions
 * or history over EXPENSIVE_ANSWER_BYTES, a list page likewise). A slot is held until the answer
 * is finished or its connection is gone, so a reader that stops reading keeps its slot until the
 * stall timeout drops it: memory held by such answers is at most slots x MAX_PAGE_ANSWER_BYTES.
 * Shared answers (namespace read, export) are built synchronously once per revision and cost a
 * reference per reader, so they take no slot.
 */
export class ExpensiveReads {
  private inUse = 0;

  constructor(readonly slots: number) {}

  get busy(): number {
    return this.inUse;
  }

  enter(response: ServerResponse): void {
    const release = this.hold();
    response.once('finish', release);
    response.once('close', release);
  }

  /** Takes a slot until the returned release is called (once or more); ServerBusy when none. */
  hold(): () => void {
    if (this.inUse >= this.slots) {
      throw new ServerBusy(EXPENSIVE_RETRY_AFTER_SECONDS, undefined, {
        expensive_requests_in_progress: this.inUse,
        bound: this.slots,
      });
    }
    this.inUse++;
    let released = false;
    return (): void => {
      if (released) return;
      released = true;
      this.inUse--;
    };
  }
}

/** Takes a slot when the answer will be large; a no-op outside HTTP. */
export function enterIfExpensive(context: ExpensiveWorkContext, answerBytes: number): void {
  if (answerBytes > EXPENSIVE_ANSWER_BYTES) context.enterExpensive?.();
}

declare module 'fastify' {
  interface FastifyInstance {
    expensiveReads: ExpensiveReads;
  }
}

/** One bound per HTTP process; requests reach it through `request.server`. */
export function installExpensiveReads(fastify: FastifyInstance, slots: number): void {
  fastify.decorate('expensiveReads', new ExpensiveReads(slots));
}
