import cluster, { Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LocalAuditRecorder } from '../audit/local-audit.recorder';
import { ReadHeat } from '../cache/read-heat';
import { AppConfig } from '../env/app-config';
import { HttpMetrics } from '../observability/http-metrics';
import { StateService } from '../state/state.service';
import { NodeWatchHub } from '../watch/node-watch-hub';
import { WatchMetrics } from '../watch/watch-metrics';
import { fullView, NodeMessage, WorkerMessage } from './view-sync';

/**
 * HTTP_WORKERS > 1: this process (the node: Raft, database, writes) listens on a loopback port
 * only; N forked read workers share the public PORT, serve client reads from replicas of the
 * applied view, and pass every other request to the node. Reads then use every core.
 */
export async function superviseReadWorkers(
  app: NestFastifyApplication,
  config: AppConfig,
  coreUrl: string,
): Promise<ReadWorkers> {
  const logger = new Logger('ReadWorkers');
  const view = app.get(StateService).appliedView;
  const metrics = app.get(HttpMetrics);
  const audit = app.get(LocalAuditRecorder);
  const watchMetrics = app.get(WatchMetrics);
  const heat = app.get(ReadHeat);
  const workers = new Set<Worker>();
  const workerApplied = new Map<Worker, number>();
  let visibilityWaiters: Array<{ index: number; resolve: () => void }> = [];
  const releaseVisible = (): void => {
    const visible = Math.min(...[...workers].map((worker) => workerApplied.get(worker) ?? 0));
    const ready = visibilityWaiters.filter((waiter) => waiter.index <= visible);
    visibilityWaiters = visibilityWaiters.filter((waiter) => waiter.index > visible);
    for (const waiter of ready) waiter.resolve();
  };
  // Read-your-writes: a write is answered once every worker's replica shows it.
  app.get(StateService).addVisibilityBarrier((index) =>
    workers.size === 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          visibilityWaiters.push({ index, resolve });
          releaseVisible();
        }),
  );
  let allListening: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (allListening = resolve));

  view.onChange((event) => {
    const message: NodeMessage =
      event.kind === 'load'
        ? fullView(view)
        : {
            type: 'cc:view-commit',
            appliedIndex: event.appliedIndex,
            namespaces: [...event.changes.namespaces],
            configs: [...event.changes.configs.values()],
            tokens: [...event.changes.tokens.values()],
          };
    for (const worker of workers) if (worker.isConnected()) worker.send(message);
  });
  // Workers serve their own watchers (a proxied stream would meet the proxy's timeout).
  app.get(NodeWatchHub).onEvents((events, appliedIndex) => {
    const message: NodeMessage = { type: 'cc:watch-events', appliedIndex, events };
    for (const worker of workers) if (worker.isConnected()) worker.send(message);
  });

  const fork = (): void => {
    const worker = cluster.fork({ CC_CORE_URL: coreUrl, CC_READ_WORKER: '1' });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'cc:hello') {
        workers.add(worker);
        worker.send(fullView(view));
        if (workers.size >= config.httpWorkers) allListening();
      } else if (message.type === 'cc:applied') {
        workerApplied.set(worker, message.appliedIndex);
        releaseVisible();
      } else if (message.type === 'cc:metrics') {
        for (const [api, method, status, ms] of message.observations)
          metrics.record(api, method, status, ms);
      } else if (message.type === 'cc:heat') {
        for (const [namespace, key, count] of message.reads) heat.add(namespace, key, count);
      } else if (message.type === 'cc:audit') {
        for (const row of message.rows) audit.record(row);
        audit.countDropped(message.dropped);
      } else if (message.type === 'cc:watch-metrics') {
        watchMetrics.fromWorker(worker.id, message);
      }
    });
    // A send to a worker that just died fails asynchronously; never let that crash the node.
    worker.on('error', (error) => logger.warn({ err: error }, 'read worker IPC error'));
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      workerApplied.delete(worker);
      watchMetrics.workerGone(worker.id);
      releaseVisible();
      if (shuttingDown) return;
      logger.warn({ code, signal }, 'read worker exited; starting another');
      setTimeout(fork, 500);
    });
  };

  let shuttingDown = false;
  for (let i = 0; i < config.httpWorkers; i++) fork();
  const kill = (): void => {
    shuttingDown = true;
    for (const worker of cluster.workers ? Object.values(cluster.workers) : [])
      worker?.kill('SIGTERM');
  };
  // Whatever ends this process, its workers go with it.
  process.once('exit', kill);
  await listening;
  return {
    /** Each worker stops taking connections and finishes its requests (SIGTERM), then exits. */
    stop: (timeoutMs: number) =>
      new Promise<void>((resolve) => {
        const alive = Object.values(cluster.workers ?? {}).filter(
          (worker): worker is Worker => worker !== undefined && !worker.isDead(),
        );
        kill();
        if (alive.length === 0) return resolve();
        let left = alive.length;
        const timer = setTimeout(resolve, timeoutMs);
        for (const worker of alive)
          worker.once('exit', () => {
            if (--left === 0) {
              clearTimeout(timer);
              resolve();
            }
          });
      }),
  };
}

/** The read workers of this node, for a graceful stop. */
export interface ReadWorkers {
  stop(timeoutMs: number): Promise<void>;
}
