import { ValidationFailed } from '@cc/common';

/**
 * The largest answer a page may have. A page over it is refused (40002) naming the largest
 * `page_size` that fits, never silently shortened. 8 MiB: one history row (old and new value,
 * each up to MAX_VALUE_BYTES = 3 MiB at most) always fits in a page of one.
 */
export const MAX_PAGE_ANSWER_BYTES = 8 * 1024 * 1024;

/** What a row adds beside its values (key, numbers, dates, operator), rounded up. */
export const ROW_ALLOWANCE_BYTES = 1024;

/** The envelope and pagination around the rows. */
const PAGE_ALLOWANCE_BYTES = 1024;

/**
 * The bytes a page's answer will have, from the stored size of each row's values (JSON text
 * stored as the API returns it), or a refusal when that passes MAX_PAGE_ANSWER_BYTES. The
 * largest page_size named is computed from the rows at the start of the requested page.
 */
export function pageAnswerBytes(rowValueBytes: readonly number[], field = 'page_size'): number {
  let total = PAGE_ALLOWANCE_BYTES;
  let fitting = 0;
  for (const bytes of rowValueBytes) {
    const next = total + bytes + ROW_ALLOWANCE_BYTES;
    if (next > MAX_PAGE_ANSWER_BYTES) break;
    total = next;
    fitting++;
  }
  if (fitting === rowValueBytes.length) return total;
  const message =
    `this answer would pass the ${MAX_PAGE_ANSWER_BYTES}-byte bound of a page: ` +
    `ask with ${field} at most ${fitting}`;
  throw new ValidationFailed([{ field, errors: [message], largest_page_size: fitting }], message);
}
