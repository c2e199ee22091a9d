import { BoundedMemoryCache, SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('runs the work once for concurrent callers of one key, again after it settled', async () => {
    const flights = new SingleFlight<number>();
    let runs = 0;
    let release: (value: number) => void = () => undefined;
    const work = () => {
      runs += 1;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const callers = Array.from({ length: 1000 }, () => flights.run('k', work));
    expect(runs).toBe(1);
    release(7);
    expect(await Promise.all(callers)).toEqual(Array(1000).fill(7));
    expect(flights.size).toBe(0);
    const again = flights.run('k', work);
    release(8);
    expect(await again).toBe(8);
    expect(runs).toBe(2);
  });

  it('shares a failure and forgets it', async () => {
    const flights = new SingleFlight<number>();
    const failing = () => Promise.reject(new Error('down'));
    await expect(
      Promise.all([flights.run('k', failing), flights.run('k', failing)]),
    ).rejects.toThrow('down');
    expect(flights.size).toBe(0);
  });
});

describe('BoundedMemoryCache', () => {
  it('drops the least recently used entry beyond its entry or byte bound', () => {
    const cache = new BoundedMemoryCache<string>(2, 100);
    cache.set('a', 'A', 10);
    cache.set('b', 'B', 10);
    cache.get('a');
    cache.set('c', 'C', 10);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    cache.set('big', 'X', 95);
    expect(cache.size).toBe(1);
    cache.set('huge', 'Y', 101);
    expect(cache.get('huge')).toBeUndefined();
  });
});
