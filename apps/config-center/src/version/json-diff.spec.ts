import { diffValues } from './json-diff';

describe('diffValues', () => {
  it('lists added, removed and modified paths of nested objects', () => {
    const changes = diffValues(
      { host: 'a', pool: { min: 1, max: 5 }, old: true },
      { host: 'b', pool: { min: 1, max: 9 }, extra: 1 },
    );
    expect(changes).toEqual([
      { path: 'extra', from: null, to: 1, type: 'added' },
      { path: 'host', from: 'a', to: 'b', type: 'modified' },
      { path: 'old', from: true, to: null, type: 'removed' },
      { path: 'pool.max', from: 5, to: 9, type: 'modified' },
    ]);
  });

  it('compares arrays by position', () => {
    expect(diffValues({ nodes: ['a', 'b'] }, { nodes: ['a', 'c', 'd'] })).toEqual([
      { path: 'nodes[1]', from: 'b', to: 'c', type: 'modified' },
      { path: 'nodes[2]', from: null, to: 'd', type: 'added' },
    ]);
  });

  it('reports a changed scalar or type at the root as $', () => {
    expect(diffValues(1, 2)).toEqual([{ path: '$', from: 1, to: 2, type: 'modified' }]);
    expect(diffValues({ a: 1 }, [1])).toEqual([
      { path: '$', from: { a: 1 }, to: [1], type: 'modified' },
    ]);
  });

  it('finds no change between equal values', () => {
    expect(diffValues({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toEqual([]);
  });

  it('quotes keys that are not identifiers', () => {
    expect(diffValues({ 'a.b': 1 }, { 'a.b': 2 })).toEqual([
      { path: '$["a.b"]', from: 1, to: 2, type: 'modified' },
    ]);
  });
});
