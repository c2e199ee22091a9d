import { ReadCounts } from './read-counts';

describe('ReadCounts', () => {
  it('counts reads per key until taken, then starts again', () => {
    const counts = new ReadCounts();
    counts.read('app', 'a:b');
    counts.read('app', 'a:b');
    counts.add('app', 'c', 5);
    counts.read('other', 'a:b');
    expect(counts.take()).toEqual([
      ['app', 'a:b', 2],
      ['app', 'c', 5],
      ['other', 'a:b', 1],
    ]);
    expect(counts.take()).toEqual([]);
  });

  it('keeps at most 10,000 distinct keys between takes (a scan of random keys)', () => {
    const counts = new ReadCounts();
    for (let i = 0; i < 10_050; i++) counts.read('app', `k${i}`);
    counts.read('app', 'k1');
    const taken = counts.take();
    expect(taken).toHaveLength(10_000);
    expect(taken[1]).toEqual(['app', 'k1', 2]);
  });
});
