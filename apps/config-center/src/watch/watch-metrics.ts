import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram } from 'prom-client';
import { WatcherKind, WatchMetricsSink } from './watch-hub';

export const WATCHERS = 'config_center_watchers';
export const WATCH_EVENTS = 'config_center_watch_events_total';
export const WATCH_FANOUT = 'config_center_watch_fanout_duration_milliseconds';

/** Fan-out of one batch of events to one process's watchers: sub-millisecond to a few ms. */
const FANOUT_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250];

export const watchMetricProviders = [
  makeGaugeProvider({
    name: WATCHERS,
    help: 'Watchers connected to this node (its read workers included)',
    labelNames: ['kind'],
  }),
  makeCounterProvider({
    name: WATCH_EVENTS,
    help: 'Events sent to watchers (one per event per watcher)',
    labelNames: ['kind'],
  }),
  makeHistogramProvider({
    name: WATCH_FANOUT,
    help: 'Time one process took to hand one applied batch of events to all its watchers',
    buckets: FANOUT_BUCKETS,
  }),
];

/** What a read worker reports about its watchers (workers/view-sync.ts `cc:watch-metrics`). */
export interface WorkerWatchReport {
  watchers: Record<WatcherKind, number>;
  delivered: Record<WatcherKind, number>;
  fanoutMs: number[];
}

/**
 * The node's watch metrics: its own hub reports here directly, each read worker over IPC; the
 * gauge is the sum of the node's and every live worker's last count.
 */
@Injectable()
export class WatchMetrics implements WatchMetricsSink {
  private readonly own: Record<WatcherKind, number> = { sse: 0, poll: 0 };
  private readonly workers = new Map<number, Record<WatcherKind, number>>();

  constructor(
    @InjectMetric(WATCHERS) private readonly gauge: Gauge<'kind'>,
    @InjectMetric(WATCH_EVENTS) private readonly events: Counter<'kind'>,
    @InjectMetric(WATCH_FANOUT) private readonly fanoutTime: Histogram,
  ) {
    this.update();
  }

  watchers(kind: WatcherKind, count: number): void {
    this.own[kind] = count;
    this.update();
  }

  delivered(kind: WatcherKind, events: number): void {
    this.events.inc({ kind }, events);
  }

  fanout(milliseconds: number): void {
    this.fanoutTime.observe(milliseconds);
  }

  fromWorker(workerId: number, report: WorkerWatchReport): void {
    this.workers.set(workerId, report.watchers);
    for (const kind of ['sse', 'poll'] as const)
      if (report.delivered[kind] > 0) this.events.inc({ kind }, report.delivered[kind]);
    for (const ms of report.fanoutMs) this.fanoutTime.observe(ms);
    this.update();
  }

  workerGone(workerId: number): void {
    this.workers.delete(workerId);
    this.update();
  }

  private update(): void {
    for (const kind of ['sse', 'poll'] as const) {
      let total = this.own[kind];
      for (const counts of this.workers.values()) total += counts[kind];
      this.gauge.set({ kind }, total);
    }
  }
}
