import { ServerPool } from './server-pool';

describe('ServerPool', () => {
  it('fails over in address order and waits only after every address failed in a row', () => {
    const pool = new ServerPool(['a', 'b', 'c'], { initialDelayMs: 100, random: () => 0.5 });
    expect(pool.order()).toEqual(['a', 'b', 'c']);
    expect(pool.failed('a')).toBe(0);
    expect(pool.preferred).toBe('b');
    expect(pool.order()).toEqual(['b', 'c', 'a']);
    expect(pool.failed('b')).toBe(0);
    expect(pool.failed('c')).toBe(75); // a whole round: 100 ms ceiling, half fixed + half * 0.5
    expect(pool.preferred).toBe('a');
    pool.failed('a');
    pool.failed('b');
    expect(pool.failed('c')).toBe(150); // the ceiling doubles each round
  });

  it('keeps the jittered delay between half the ceiling and the ceiling, capped', () => {
    const low = new ServerPool(['a'], { initialDelayMs: 100, maxDelayMs: 1_000, random: () => 0 });
    const high = new ServerPool(['a'], {
      initialDelayMs: 100,
      maxDelayMs: 1_000,
      random: () => 0.999,
    });
    const lows = Array.from({ length: 8 }, () => low.failed('a'));
    const highs = Array.from({ length: 8 }, () => high.failed('a'));
    expect(lows).toEqual([50, 100, 200, 400, 500, 500, 500, 500]);
    expect(highs).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });

  it('sticks to the address that worked and resets the backoff', () => {
    const pool = new ServerPool(['a', 'b'], { initialDelayMs: 100, random: () => 0 });
    pool.failed('a');
    pool.failed('b');
    pool.succeeded('b');
    expect(pool.preferred).toBe('b');
    expect(pool.failed('b')).toBe(0);
    expect(pool.failed('a')).toBe(50);
  });
});
