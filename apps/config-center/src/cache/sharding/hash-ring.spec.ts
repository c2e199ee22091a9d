import { HashRing } from './hash-ring';

const namespaces = Array.from({ length: 10_000 }, (_, index) => `app-${index}`);

describe('HashRing', () => {
  it('answers undefined on an empty ring and the only node on a ring of one', () => {
    expect(new HashRing([]).nodeFor('app')).toBeUndefined();
    expect(new HashRing(['a']).nodeFor('app')).toBe('a');
  });

  it('is the same ring whatever the order the nodes are listed in', () => {
    const one = new HashRing(['a', 'b', 'c']);
    const other = new HashRing(['c', 'a', 'b']);
    expect(namespaces.every((name) => one.nodeFor(name) === other.nodeFor(name))).toBe(true);
  });

  it('spreads namespaces about evenly over the nodes', () => {
    const ring = new HashRing(['a', 'b', 'c', 'd']);
    const counts = new Map<string, number>();
    for (const name of namespaces) {
      const node = ring.nodeFor(name)!;
      counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    for (const count of counts.values()) expect(count / namespaces.length).toBeCloseTo(0.25, 1);
  });

  it('moves only about 1/N of the namespaces when a node is added, all of them to it', () => {
    const before = new HashRing(['a', 'b', 'c', 'd']);
    const after = new HashRing(['a', 'b', 'c', 'd', 'e']);
    const moved = namespaces.filter((name) => before.nodeFor(name) !== after.nodeFor(name));
    expect(moved.length / namespaces.length).toBeGreaterThan(0.14);
    expect(moved.length / namespaces.length).toBeLessThan(0.26);
    expect(moved.every((name) => after.nodeFor(name) === 'e')).toBe(true);
  });

  it('moves only the removed node’s namespaces when a node is removed', () => {
    const before = new HashRing(['a', 'b', 'c']);
    const after = new HashRing(['a', 'c']);
    const moved = namespaces.filter((name) => before.nodeFor(name) !== after.nodeFor(name));
    expect(moved.every((name) => before.nodeFor(name) === 'b')).toBe(true);
    expect(moved.length / namespaces.length).toBeCloseTo(1 / 3, 1);
  });
});
