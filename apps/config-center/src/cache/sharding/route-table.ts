import { CacheNode, CacheRoutesSettings } from '../../settings/cache-routes-setting';
import { HashRing } from './hash-ring';

export interface TableRoute {
  node: CacheNode;
  /** True when `cache_routes.routes` names the namespace; false when the ring chose. */
  explicit: boolean;
}

/** A shard move between two tables, with the nodes' urls (a url change is a move too). */
export interface ShardMove {
  namespace: string;
  from: CacheNode | null;
  to: CacheNode | null;
}

/**
 * One applied `cache_routes` and its epoch (the revision of the entry that wrote it: the same on
 * every node, and growing with every change). Lookups are memoised: a namespace is hashed once
 * per table.
 */
export class RouteTable {
  private readonly ring: HashRing;
  private readonly byName = new Map<string, CacheNode>();
  private readonly memo = new Map<string, TableRoute | null>();

  constructor(
    readonly settings: CacheRoutesSettings,
    readonly epoch: number,
  ) {
    for (const node of settings.nodes) this.byName.set(node.name, node);
    this.ring = new HashRing(settings.nodes.map((node) => node.name));
  }

  get nodes(): readonly CacheNode[] {
    return this.settings.nodes;
  }

  node(name: string): CacheNode | undefined {
    return this.byName.get(name);
  }

  lookup(namespace: string): TableRoute | null {
    const known = this.memo.get(namespace);
    if (known !== undefined) return known;
    const route = this.compute(namespace);
    // Names come from requests too: the memo stays bounded whatever they send.
    if (this.memo.size < 100_000) this.memo.set(namespace, route);
    return route;
  }

  private compute(namespace: string): TableRoute | null {
    const routed = Object.prototype.hasOwnProperty.call(this.settings.routes, namespace)
      ? this.byName.get(this.settings.routes[namespace])
      : undefined;
    if (routed) return { node: routed, explicit: true };
    const hashed = this.ring.nodeFor(namespace);
    return hashed === undefined ? null : { node: this.byName.get(hashed)!, explicit: false };
  }
}

const sameNode = (a: CacheNode | null, b: CacheNode | null): boolean =>
  a === b || (a !== null && b !== null && a.name === b.name && a.url === b.url);

/**
 * The namespaces whose shard differs between two tables, among `namespaces` and every namespace
 * either table routes explicitly. A node that kept its name but changed its url is another
 * Redis: its namespaces moved.
 */
export function movesBetween(
  before: RouteTable,
  after: RouteTable,
  namespaces: Iterable<string>,
): ShardMove[] {
  const candidates = new Set(namespaces);
  for (const name of Object.keys(before.settings.routes)) candidates.add(name);
  for (const name of Object.keys(after.settings.routes)) candidates.add(name);
  const moves: ShardMove[] = [];
  for (const namespace of [...candidates].sort()) {
    const from = before.lookup(namespace)?.node ?? null;
    const to = after.lookup(namespace)?.node ?? null;
    if (!sameNode(from, to)) moves.push({ namespace, from, to });
  }
  return moves;
}
