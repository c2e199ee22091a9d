import { mostCaughtUpVoter } from './successor';

describe('mostCaughtUpVoter', () => {
  it('picks the other voter whose log matches furthest', () => {
    expect(
      mostCaughtUpVoter({ id: 'a', voters: ['a', 'b', 'c'], matchIndex: { a: 9, b: 5, c: 7 } }),
    ).toBe('c');
  });

  it('keeps voter order on a tie and counts an unknown match as 0', () => {
    expect(mostCaughtUpVoter({ id: 'a', voters: ['a', 'b', 'c'], matchIndex: {} })).toBe('b');
    expect(mostCaughtUpVoter({ id: 'b', voters: ['a', 'b', 'c'], matchIndex: { c: 1 } })).toBe('c');
  });

  it('has nobody to hand over to in a cluster of one', () => {
    expect(mostCaughtUpVoter({ id: 'a', voters: ['a'], matchIndex: { a: 3 } })).toBeUndefined();
  });
});
