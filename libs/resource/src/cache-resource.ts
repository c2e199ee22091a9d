import { CallContext } from './call-context';
import { Resource } from './resource';
import { stableJson } from './stable-json';

export interface CacheOptions {
  /** How long an output stays fresh. Default 60 s. */
  ttlMs?: number;
  /** Least recently used entries are evicted past this count. Default 1000. */
  maxEntries?: number;
  /** Clock in milliseconds; tests inject a fake one. */
  now?: () => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Misses that joined a perform already in flight for the same key instead of starting one. */
  coalesced: number;
  evictions: number;
  size: number;
}

interface Entry<O> {
  value: O;
  expiresAt: number;
}

/**
 * A Resource whose outputs are cached by input (drf_resource's CacheResource). The cache is
 * per instance, in memory, LRU by Map insertion order. Errors are never cached. Concurrent misses
 * for one key share a single perform, so a cold key under load costs one call, not N.
 */
export abstract class CacheResource<I extends object, O> extends Resource<I, O> {
  protected readonly ttlMs: number;
  protected readonly maxEntries: number;
  protected readonly now: () => number;

  private readonly entries = new Map<string, Entry<O>>();
  private readonly inFlight = new Map<string, Promise<O>>();
  private readonly counters = { hits: 0, misses: 0, coalesced: 0, evictions: 0 };

  constructor(options: CacheOptions = {}) {
    super();
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
    if (!(this.ttlMs >= 0) || !(this.maxEntries >= 1)) {
      throw new Error(`${new.target.name}: ttlMs must be >= 0 and maxEntries >= 1`);
    }
  }

  /** Override when part of the input does not change the output (or the context does). */
  protected cacheKey(input: I): string {
    return stableJson(input);
  }

  /** Drops the entry for this (validated) input, or everything when called without one. */
  invalidate(input?: I): void {
    if (input === undefined) {
      this.entries.clear();
      this.inFlight.clear();
      return;
    }
    const key = this.cacheKey(input);
    this.entries.delete(key);
    // A perform already running may have read the old state: its result must not be stored.
    this.inFlight.delete(key);
  }

  get cacheStats(): CacheStats {
    return { ...this.counters, size: this.entries.size };
  }

  protected override invoke(input: I, context: CallContext): Promise<O> {
    const key = this.cacheKey(input);
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (entry.expiresAt > this.now()) {
        this.counters.hits++;
        // Re-insert to mark it most recently used.
        this.entries.delete(key);
        this.entries.set(key, entry);
        return Promise.resolve(entry.value);
      }
      this.entries.delete(key);
    }
    const running = this.inFlight.get(key);
    if (running !== undefined) {
      this.counters.coalesced++;
      return running;
    }
    this.counters.misses++;
    const started = super.invoke(input, context);
    const settled = started.then(
      (value) => {
        if (this.inFlight.get(key) === started) {
          this.inFlight.delete(key);
          this.store(key, value);
        }
        return value;
      },
      (error: unknown) => {
        if (this.inFlight.get(key) === started) this.inFlight.delete(key);
        throw error;
      },
    );
    this.inFlight.set(key, started);
    return settled;
  }

  private store(key: string, value: O): void {
    if (this.ttlMs === 0) return;
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.counters.evictions++;
    }
  }
}
