import { WatchEvent } from './watch-event';

/** An event of the history with its JSON, serialized once for every watcher. */
export interface HistoryEntry {
  readonly event: WatchEvent;
  readonly json: string;
  /** `json`'s bytes and its SSE frame, encoded on first use for every watcher that sends it. */
  bytes?: Buffer;
  sse?: Buffer;
}

/**
 * The recent events of this process, bounded by count and bytes (etcd's watch cache). `floor`
 * is the revision after which every event is here: a watcher resuming from below it gets a
 * snapshot first, as etcd answers "compacted".
 */
export class EventHistory {
  private entries: HistoryEntry[] = [];
  /** Index of the oldest kept entry in `entries` (entries before it are dropped lazily). */
  private start = 0;
  private bytes = 0;
  private floorRevision: number;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
    floor = 0,
  ) {
    this.floorRevision = floor;
  }

  get floor(): number {
    return this.floorRevision;
  }

  get size(): number {
    return this.entries.length - this.start;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** Forgets everything: the state was replaced (a snapshot installed), events restart above `floor`. */
  reset(floor: number): void {
    this.entries = [];
    this.start = 0;
    this.bytes = 0;
    this.floorRevision = floor;
  }

  append(event: WatchEvent): HistoryEntry {
    const entry = { event, json: JSON.stringify(event) };
    this.entries.push(entry);
    this.bytes += entry.json.length;
    while (this.size > 1 && (this.size > this.maxEvents || this.bytes > this.maxBytes)) {
      const dropped = this.entries[this.start++];
      this.bytes -= dropped.json.length;
      this.floorRevision = dropped.event.revision;
    }
    if (this.start > 1024 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
    return entry;
  }

  /** True when every event after `revision` is still here. */
  covers(revision: number): boolean {
    return revision >= this.floorRevision;
  }

  /** The entries with a revision above `revision`, oldest first (the caller checked `covers`). */
  after(revision: number): HistoryEntry[] {
    let low = this.start;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle].event.revision <= revision) low = middle + 1;
      else high = middle;
    }
    return this.entries.slice(low);
  }
}
