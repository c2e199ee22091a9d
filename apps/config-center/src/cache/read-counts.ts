/** Distinct keys counted between two takes at most: a scan of random keys cannot grow memory. */
const MAX_COUNTED_KEYS = 10_000;

export type KeyReads = [namespace: string, key: string, reads: number];

/**
 * Reads per key since the last `take`: the node's tally (ReadHeat), or a read worker's, which
 * it hands to its node with its metrics. On the read path: one map update, nothing else.
 */
export class ReadCounts {
  private counts = new Map<string, KeyReads>();
  protected counting = true;

  read(namespace: string, key: string): void {
    this.add(namespace, key, 1);
  }

  add(namespace: string, key: string, reads: number): void {
    if (!this.counting) return;
    const slot = `${namespace}\u0000${key}`;
    const counted = this.counts.get(slot);
    if (counted) counted[2] += reads;
    else if (this.counts.size < MAX_COUNTED_KEYS) this.counts.set(slot, [namespace, key, reads]);
  }

  take(): KeyReads[] {
    const taken = [...this.counts.values()];
    this.counts = new Map();
    return taken;
  }
}
