import { ErrorCode } from '@cc/common';
import { DatabaseUnreachable, isConnectionLoss, WritePathState } from './write-path';

const lost = (code: string, fatal?: boolean) =>
  Object.assign(new Error(code), { code, ...(fatal === undefined ? {} : { fatal }) });

describe('WritePathState', () => {
  it('is available until marked down, and keeps the first time it went down', () => {
    const state = new WritePathState();
    expect(state.available).toBe(true);
    expect(state.retryAfterSeconds()).toBe(0);
    state.markDown(new Error('first'), 1_000);
    state.markDown(new Error('second'), 3_000);
    expect(state.available).toBe(false);
    expect(state.outage).toEqual({ since: 1_000, error: 'second' });
  });

  it('asks for a retry in 1 s at first and in 5 s once the outage lasts', () => {
    const state = new WritePathState();
    state.markDown(new Error('gone'), 0);
    expect(state.retryAfterSeconds(9_999)).toBe(1);
    expect(state.retryAfterSeconds(10_000)).toBe(5);
    const refusal = state.unavailable(10_000);
    expect(refusal).toBeInstanceOf(DatabaseUnreachable);
    expect(refusal.code).toBe(ErrorCode.UNAVAILABLE);
    expect(refusal.retryAfterSeconds).toBe(5);
  });

  it('tells its listeners once when the database is reached again', () => {
    const state = new WritePathState();
    const recovered = jest.fn();
    state.onRecovered(recovered);
    state.markUp();
    expect(recovered).not.toHaveBeenCalled();
    state.markDown(new Error('gone'));
    state.markUp();
    state.markUp();
    expect(recovered).toHaveBeenCalledTimes(1);
    expect(state.available).toBe(true);
  });
});

describe('isConnectionLoss', () => {
  it.each(['ECONNREFUSED', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ECONNRESET'])(
    'is true for %s',
    (code) => expect(isConnectionLoss(lost(code))).toBe(true),
  );

  it('is true for any error mysql2 marks fatal', () => {
    expect(isConnectionLoss(lost('SOMETHING_NEW', true))).toBe(true);
  });

  it('is false for an error of the SQL itself and for non-errors', () => {
    expect(isConnectionLoss(lost('ER_DUP_ENTRY', false))).toBe(false);
    expect(isConnectionLoss(lost('ER_PARSE_ERROR'))).toBe(false);
    expect(isConnectionLoss('ECONNREFUSED')).toBe(false);
  });
});
