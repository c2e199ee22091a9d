import { ValidationFailed } from '@cc/common';
import { Command } from '../commands';
import { Mutation } from '../mutations';
import { ViewOverlay } from '../state-view';

/** Rows created by one entry get ids `index * ID_STRIDE + n`: deterministic, never AUTO_INCREMENT (DESIGN 11). */
export const ID_STRIDE = 1000;
/**
 * An entry that creates more than ID_STRIDE - 1 rows of one table (a large import) takes the
 * rest from a range of its own above 2^50, `WIDE_ID_BASE + index * WIDE_ID_STRIDE + n`, that
 * no ordinary id reaches (index * 1000 < 2^50 for 10^12 entries). Ordinary entries keep their
 * ids, so a log written before this rule replays to identical rows. Both stay below 2^53.
 */
const WIDE_ID_BASE = 2 ** 50;
const WIDE_ID_STRIDE = 2 ** 17;
/** The most rows of one table a single entry may create (an import of this many keys). */
export const MAX_OPERATIONS_PER_ENTRY = ID_STRIDE - 1 + WIDE_ID_STRIDE;

/** Per-entry id allocator; one per table so a batch of N keys needs N ids in each. */
export class IdAllocator {
  private readonly next = new Map<string, number>();
  constructor(private readonly index: number) {}
  take(table: string): number {
    const n = (this.next.get(table) ?? 0) + 1;
    this.next.set(table, n);
    if (n < ID_STRIDE) return this.index * ID_STRIDE + n;
    if (n >= MAX_OPERATIONS_PER_ENTRY + 1)
      throw new ValidationFailed(
        undefined,
        `one write may create at most ${MAX_OPERATIONS_PER_ENTRY} rows`,
      );
    return WIDE_ID_BASE + this.index * WIDE_ID_STRIDE + (n - ID_STRIDE);
  }
}

/** What one command's apply works on: its entry, a fork of the view, and the rows it changes. */
export interface ApplyContext {
  index: number;
  command: Command;
  view: ViewOverlay;
  ids: IdAllocator;
  mutations: Mutation[];
}
