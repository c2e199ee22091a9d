import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { CacheOptions, CacheResource, CallContext, fromQueryString } from '../src';

const context: CallContext = { requestId: 'req-1', nodeId: 'node-1', chain: [] };

class LookupDto {
  @IsString()
  namespace!: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  version?: number;
}

/** Answers `namespace#call-number`, so a cached answer is told apart from a fresh one. */
class CountingLookup extends CacheResource<LookupDto, string> {
  protected readonly inputSchema = LookupDto;
  calls = 0;
  next?: Promise<void>;
  failNext = false;

  constructor(options: CacheOptions) {
    super(options);
  }

  protected async perform(input: LookupDto): Promise<string> {
    this.calls++;
    const call = this.calls;
    if (this.next) await this.next;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('store down');
    }
    return `${input.namespace}#${call}`;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('CacheResource', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => (clock = 1_000));

  it('serves a repeated input from the cache, whatever the field order or string form', async () => {
    const lookup = new CountingLookup({ now });
    await expect(lookup.request({ namespace: 'app', version: 2 }, context)).resolves.toBe('app#1');
    await expect(
      lookup.request(fromQueryString({ version: '2', namespace: 'app' }), context),
    ).resolves.toBe('app#1');
    await expect(lookup.request({ namespace: 'app' }, context)).resolves.toBe('app#2');
    expect(lookup.calls).toBe(2);
    expect(lookup.cacheStats).toEqual({ hits: 1, misses: 2, coalesced: 0, evictions: 0, size: 2 });
  });

  it('expires an entry after ttlMs on the injected clock', async () => {
    const lookup = new CountingLookup({ now, ttlMs: 100 });
    await lookup.request({ namespace: 'app' }, context);
    clock += 99;
    await expect(lookup.request({ namespace: 'app' }, context)).resolves.toBe('app#1');
    clock += 1;
    await expect(lookup.request({ namespace: 'app' }, context)).resolves.toBe('app#2');
    expect(lookup.cacheStats).toMatchObject({ hits: 1, misses: 2, size: 1 });
  });

  it('evicts the least recently used entry past maxEntries', async () => {
    const lookup = new CountingLookup({ now, maxEntries: 2 });
    await lookup.request({ namespace: 'a' }, context); // a#1
    await lookup.request({ namespace: 'b' }, context); // b#2
    await lookup.request({ namespace: 'a' }, context); // hit: a is now the most recent
    await lookup.request({ namespace: 'c' }, context); // c#3 evicts b
    await expect(lookup.request({ namespace: 'a' }, context)).resolves.toBe('a#1');
    await expect(lookup.request({ namespace: 'b' }, context)).resolves.toBe('b#4');
    expect(lookup.cacheStats).toMatchObject({ evictions: 2, size: 2 });
  });

  it('runs one perform for concurrent misses of the same key', async () => {
    const lookup = new CountingLookup({ now });
    const gate = deferred();
    lookup.next = gate.promise;
    const answers = Promise.all([
      lookup.request({ namespace: 'app' }, context),
      lookup.request({ namespace: 'app' }, context),
      lookup.request({ namespace: 'app' }, context),
      lookup.request({ namespace: 'other' }, context),
    ]);
    await new Promise((r) => setImmediate(r));
    expect(lookup.calls).toBe(2);
    gate.resolve();
    await expect(answers).resolves.toEqual(['app#1', 'app#1', 'app#1', 'other#2']);
    expect(lookup.cacheStats).toMatchObject({ misses: 2, coalesced: 2 });
    await expect(lookup.request({ namespace: 'app' }, context)).resolves.toBe('app#1');
  });

  it('does not cache a failure, and shares it with the requests that joined it', async () => {
    const lookup = new CountingLookup({ now });
    const gate = deferred();
    lookup.next = gate.promise;
    lookup.failNext = true;
    const first = lookup.request({ namespace: 'app' }, context);
    const joined = lookup.request({ namespace: 'app' }, context);
    gate.resolve();
    await expect(first).rejects.toThrow('store down');
    await expect(joined).rejects.toThrow('store down');
    lookup.next = undefined;
    await expect(lookup.request({ namespace: 'app' }, context)).resolves.toBe('app#2');
  });

  it('invalidates one input or everything', async () => {
    const lookup = new CountingLookup({ now });
    await lookup.request({ namespace: 'a' }, context);
    await lookup.request({ namespace: 'b' }, context);
    lookup.invalidate(Object.assign(new LookupDto(), { namespace: 'a' }));
    await expect(lookup.request({ namespace: 'a' }, context)).resolves.toBe('a#3');
    await expect(lookup.request({ namespace: 'b' }, context)).resolves.toBe('b#2');
    lookup.invalidate();
    expect(lookup.cacheStats.size).toBe(0);
    await expect(lookup.request({ namespace: 'b' }, context)).resolves.toBe('b#4');
  });

  it('does not store a result that was in flight when its key was invalidated', async () => {
    const lookup = new CountingLookup({ now });
    const gate = deferred();
    lookup.next = gate.promise;
    const stale = lookup.request({ namespace: 'app' }, context);
    await new Promise((r) => setImmediate(r));
    lookup.invalidate();
    gate.resolve();
    await expect(stale).resolves.toBe('app#1');
    lookup.next = undefined;
    await expect(lookup.request({ namespace: 'app' }, context)).resolves.toBe('app#2');
  });

  it('validates input before looking in the cache', async () => {
    const lookup = new CountingLookup({ now });
    await expect(lookup.request({}, context)).rejects.toMatchObject({ code: 40001 });
    expect(lookup.cacheStats).toMatchObject({ hits: 0, misses: 0 });
  });

  it('refuses nonsensical options', () => {
    expect(() => new CountingLookup({ maxEntries: 0 })).toThrow('maxEntries');
    expect(() => new CountingLookup({ ttlMs: -1 })).toThrow('ttlMs');
  });
});
