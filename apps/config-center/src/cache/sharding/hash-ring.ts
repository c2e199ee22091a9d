import { createHash } from 'node:crypto';

/** Points per node on the ring: enough that each node's share stays within a few % of 1/N. */
export const VIRTUAL_NODES = 160;

function point(text: string): number {
  return createHash('md5').update(text).digest().readUInt32BE(0);
}

/**
 * Consistent hashing (Karger et al.): every node owns VIRTUAL_NODES points on a 32-bit ring, a
 * name belongs to the node of the first point at or after its own hash. Adding or removing one
 * of N nodes moves only the names of the arcs it gains or loses, about 1/N of them. Points
 * hash the node's name, so changing a node's url keeps its share.
 */
export class HashRing {
  private readonly points: number[] = [];
  private readonly owners: string[] = [];

  constructor(nodeNames: readonly string[]) {
    const entries: Array<[number, string]> = [];
    for (const name of nodeNames)
      for (let index = 0; index < VIRTUAL_NODES; index++)
        entries.push([point(`${name}#${index}`), name]);
    // Ties (two points equal) go to the smaller name, so every process builds the same ring.
    entries.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    for (const [at, name] of entries) {
      this.points.push(at);
      this.owners.push(name);
    }
  }

  /** The node that owns `name`; undefined on an empty ring. */
  nodeFor(name: string): string | undefined {
    if (this.points.length === 0) return undefined;
    const at = point(name);
    let low = 0;
    let high = this.points.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.points[middle] < at) low = middle + 1;
      else high = middle;
    }
    return this.owners[low === this.points.length ? 0 : low];
  }
}
