import { CacheRoutesSettings } from '../../settings/cache-routes-setting';
import { movesBetween, RouteTable } from './route-table';

const A = { name: 'a', url: 'redis://10.0.0.1:6379' };
const B = { name: 'b', url: 'redis://10.0.0.2:6379' };
const table = (settings: CacheRoutesSettings, epoch = 1) => new RouteTable(settings, epoch);
const namespaces = Array.from({ length: 200 }, (_, index) => `ns-${index}`);

describe('RouteTable', () => {
  it('routes by the explicit route first, by the ring otherwise, and to nothing without nodes', () => {
    const routes = table({ nodes: [A, B], routes: { billing: 'b', 'ns-1': 'a' } });
    expect(routes.lookup('billing')).toEqual({ node: B, explicit: true });
    expect(routes.lookup('ns-1')).toEqual({ node: A, explicit: true });
    expect(routes.lookup('other')?.explicit).toBe(false);
    expect(table({ nodes: [], routes: {} }).lookup('billing')).toBeNull();
  });

  it('does not take an inherited property for a route', () => {
    const routes = table({ nodes: [A], routes: {} });
    expect(routes.lookup('constructor')).toEqual({ node: A, explicit: false });
  });
});

describe('movesBetween', () => {
  it('lists a namespace whose explicit route changed, and nothing else when the nodes stay', () => {
    const before = table({ nodes: [A, B], routes: {} });
    const target = before.lookup('billing')!.node === A ? 'b' : 'a';
    const after = table({ nodes: [A, B], routes: { billing: target } }, 2);
    expect(movesBetween(before, after, namespaces)).toEqual([
      { namespace: 'billing', from: before.lookup('billing')!.node, to: after.node(target) },
    ]);
    // An explicit route to where the ring put it anyway moves nothing.
    const same = table({ nodes: [A, B], routes: { billing: before.lookup('billing')!.node.name } });
    expect(movesBetween(before, same, namespaces)).toEqual([]);
  });

  it('moves every namespace of a node whose url changed (it is another Redis)', () => {
    const before = table({ nodes: [A, B], routes: {} });
    const movedB = { ...B, url: 'redis://10.0.0.3:6379' };
    const after = table({ nodes: [A, movedB], routes: {} }, 2);
    const moves = movesBetween(before, after, namespaces);
    expect(moves.length).toBe(namespaces.filter((ns) => before.lookup(ns)!.node === B).length);
    expect(moves.every((move) => move.from === B && move.to === movedB)).toBe(true);
  });

  it('moves from nothing when Redis is added and to nothing when the last node goes', () => {
    const none = table({ nodes: [], routes: {} });
    const one = table({ nodes: [A], routes: {} }, 2);
    expect(movesBetween(none, one, ['x'])).toEqual([{ namespace: 'x', from: null, to: A }]);
    expect(movesBetween(one, none, ['x'])).toEqual([{ namespace: 'x', from: A, to: null }]);
  });
});
