import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { CacheMetrics } from '../observability/cache-metrics';
import { AppliedBatch, CommandLog } from '../state/command-log';
import { StateService } from '../state/state.service';
import { StateView } from '../state/state-view';
import { CacheFiller } from './cache-filler';
import { CachedVersionReads } from './cached-version-reads';
import { RedisShards, ShardRoute } from './redis-shards';

/** The filler's own bookkeeping, with fakes around it (its Redis behaviour is tested on a real one). */
describe('CacheFiller', () => {
  const write = (index: number): AppliedBatch => ({
    appliedIndex: index,
    commands: [
      {
        index,
        command: {
          at: 1,
          operator: 'test',
          type: 'WriteConfig',
          operation: { op: 'update', namespace: 'app', key: 'k', valueText: '1' },
        },
        outcome: { ok: true, revision: index, value: {} },
      },
    ],
  });

  const setUp = (route: () => ShardRoute | null) => {
    let onApplied: (batch: AppliedBatch) => void = () => undefined;
    const view = new StateView();
    const forgotten: string[] = [];
    const log = {
      onApplied: (listener: (batch: AppliedBatch) => void) => (onApplied = listener),
      leads: () => true,
    } as unknown as CommandLog;
    const state = {
      addVisibilityBarrier: () => undefined,
      reader: {
        namespaceByName: (name: string) => ({ id: 1, name, revision: 1 }),
        config: () => undefined,
        namespaces: () => [],
        appliedIndex: 3,
      },
      appliedView: view,
    } as unknown as StateService;
    const client = new EventEmitter() as unknown as Redis;
    const shards = {
      all: () => [{ node: 'a', client, epoch: 1 }],
      route,
      onMove: () => () => undefined,
    } as unknown as RedisShards;
    const reads = {
      forgetKey: (namespace: string, key: string) => forgotten.push(`${namespace}/${key}`),
      forgetAll: (changedAt?: number) => forgotten.push(`*@${changedAt}`),
    } as unknown as CachedVersionReads;
    const metrics = { timed: (_: string, work: () => Promise<unknown>) => work() };
    const filler = new CacheFiller(log, state, shards, reads, metrics as CacheMetrics);
    filler.onModuleInit();
    return { filler, view, forgotten, apply: (batch: AppliedBatch) => onApplied(batch) };
  };

  it('forgets every list page when the view is reloaded (a snapshot install skips onApplied)', () => {
    const { filler, view, forgotten } = setUp(() => null);
    try {
      // At start, no Redis page read before the loaded state is trusted (changes before it are
      // not tracked); a reload raises that floor.
      expect(forgotten).toEqual(['*@3']);
      view.load(7, [], []);
      expect(forgotten).toEqual(['*@3', '*@7']);
    } finally {
      filler.onApplicationShutdown();
    }
  });

  it('goes on filling and settling after a fill threw unexpectedly', async () => {
    let calls = 0;
    const { filler, apply } = setUp(() => {
      calls += 1;
      if (calls === 1) throw new Error('unexpected');
      return null;
    });
    try {
      apply(write(1));
      apply(write(2));
      const started = Date.now();
      await filler.settlement.until(2, 2000);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(calls).toBeGreaterThan(1);
    } finally {
      filler.onApplicationShutdown();
    }
  });
});
