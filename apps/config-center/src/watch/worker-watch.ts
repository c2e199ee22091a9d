import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TokenAuthenticator } from '../auth/token-authenticator';
import { AppConfig } from '../env/app-config';
import { StateView } from '../state/state-view';
import { WATCH_POLL_PATH, WATCH_STREAM_PATH } from './watch-filter';
import { WatcherKind, WatchHub, WatchMetricsSink } from './watch-hub';
import { WorkerWatchReport } from './watch-metrics';
import { servePoll, serveStream, watchTransportDeps, WatchTransportDeps } from './watch-transports';

type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/** What a read worker tells its node about its watchers, accumulated between two flushes. */
class WorkerWatchMetrics implements WatchMetricsSink {
  private report: WorkerWatchReport = this.empty();
  private changed = false;

  watchers(kind: WatcherKind, count: number): void {
    this.report.watchers[kind] = count;
    this.changed = true;
  }

  delivered(kind: WatcherKind, events: number): void {
    this.report.delivered[kind] += events;
    this.changed = true;
  }

  fanout(milliseconds: number): void {
    // Bounded between flushes: a flood of tiny batches keeps the latest observations only.
    if (this.report.fanoutMs.length < 10_000) this.report.fanoutMs.push(milliseconds);
    this.changed = true;
  }

  /** The report since the last call, or undefined when nothing changed. */
  take(): WorkerWatchReport | undefined {
    if (!this.changed) return undefined;
    const report = this.report;
    this.report = this.empty();
    this.report.watchers = { ...report.watchers };
    this.changed = false;
    return report;
  }

  private empty(): WorkerWatchReport {
    return { watchers: { sse: 0, poll: 0 }, delivered: { sse: 0, poll: 0 }, fanoutMs: [] };
  }
}

/**
 * A read worker serves /watch and /stream itself, from its replica of the view and the events
 * its node sends after each applied batch (workers/view-sync.ts): not proxied, so no proxy
 * timeout cuts a stream, and no database is read.
 */
export class WorkerWatch {
  readonly hub: WatchHub;
  private readonly metrics = new WorkerWatchMetrics();
  private readonly deps: WatchTransportDeps;

  constructor(
    private readonly view: StateView,
    config: AppConfig,
    answerError: WatchTransportDeps['answerError'],
  ) {
    this.hub = new WatchHub(
      view,
      new TokenAuthenticator(view, config.adminToken),
      config.watch,
      this.metrics,
    );
    view.onChange((event) => {
      if (event.kind === 'load') this.hub.reset(event.appliedIndex);
      else if (event.changes.namespaces.size > 0 || event.changes.tokens.size > 0)
        this.hub.revalidate();
    });
    this.deps = watchTransportDeps(this.hub, view, config, answerError);
  }

  /** The routes, served here once the replica is loaded (before: `fallback`, the node). */
  install(fastify: FastifyInstance, loaded: () => boolean, fallback: Handler): void {
    fastify.get(WATCH_POLL_PATH, (request, reply) =>
      loaded() ? servePoll(request, reply, this.deps) : fallback(request, reply),
    );
    fastify.get(WATCH_STREAM_PATH, (request, reply) =>
      loaded() ? serveStream(request, reply, this.deps) : fallback(request, reply),
    );
  }

  takeReport(): WorkerWatchReport | undefined {
    return this.metrics.take();
  }
}
