import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { DURATION_BUCKETS } from './http-metrics';

export const CACHE_HITS = 'config_center_cache_hits_total';
export const CACHE_DURATION = 'config_center_cache_operation_duration_milliseconds';
export const DB_QUERIES = 'config_center_db_queries_total';

export type CacheType = 'local' | 'redis';

/** Spec 3.7.4's cache metrics, and the database reads behind them (a stampede shows here). */
export const cacheMetricProviders = [
  makeCounterProvider({
    name: CACHE_HITS,
    help: 'Total number of cache hits',
    labelNames: ['cache_type', 'hit'],
  }),
  makeHistogramProvider({
    name: CACHE_DURATION,
    help: 'Cache operation duration in milliseconds',
    labelNames: ['cache_type', 'operation'],
    buckets: DURATION_BUCKETS,
  }),
  makeCounterProvider({
    name: DB_QUERIES,
    help: 'Database queries made to answer reads, by kind',
    labelNames: ['query'],
  }),
];

@Injectable()
export class CacheMetrics {
  constructor(
    @InjectMetric(CACHE_HITS) private readonly hits: Counter<'cache_type' | 'hit'>,
    @InjectMetric(CACHE_DURATION)
    private readonly duration: Histogram<'cache_type' | 'operation'>,
    @InjectMetric(DB_QUERIES) private readonly queries: Counter<'query'>,
  ) {}

  lookup(cacheType: CacheType, hit: boolean): void {
    this.hits.inc({ cache_type: cacheType, hit: hit ? 'true' : 'false' });
  }

  /** Times `operation` against Redis (failures included: a timeout is what one wants to see). */
  async timed<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.duration.observe({ cache_type: 'redis', operation }, performance.now() - started);
    }
  }

  databaseQuery(query: string): void {
    this.queries.inc({ query });
  }
}
