import { AppError } from '@cc/common';
import { MAX_PAGE_ANSWER_BYTES, ROW_ALLOWANCE_BYTES, pageAnswerBytes } from './page-bound';

const refusal = (rows: number[], field?: string): AppError => {
  try {
    pageAnswerBytes(rows, field);
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a refusal');
};

describe('pageAnswerBytes', () => {
  it('estimates a page within the bound from its rows', () => {
    expect(pageAnswerBytes([100, 200])).toBe(1024 + 300 + 2 * ROW_ALLOWANCE_BYTES);
    expect(pageAnswerBytes([])).toBe(1024);
  });

  it('refuses a page over the bound with 40002 naming the largest page_size that fits', () => {
    const row = Math.floor(MAX_PAGE_ANSWER_BYTES / 3);
    const error = refusal([row, row, row, row]);
    expect(error.code).toBe(40002);
    expect(error.message).toContain('page_size at most 2');
    expect(error.details).toEqual([
      { field: 'page_size', errors: [error.message], largest_page_size: 2 },
    ]);
  });

  it('names the alias the caller used', () => {
    const error = refusal([MAX_PAGE_ANSWER_BYTES], 'limit');
    expect(error.message).toContain('limit at most 0');
  });
});
