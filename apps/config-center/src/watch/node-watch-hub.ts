import { Inject, Injectable } from '@nestjs/common';
import { TokenAuthenticator } from '../auth/token-authenticator';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { StateService } from '../state/state.service';
import { StateReader } from '../state/state-view';
import { eventsOfBatch, WatchEvent } from './watch-event';
import { WatchHub } from './watch-hub';
import { WatchMetrics } from './watch-metrics';

type EventsListener = (events: WatchEvent[], appliedIndex: number) => void;

/**
 * The node's watchers, fed from the command log's `onApplied` (DESIGN 24), one event per entry;
 * the view's load (a snapshot installed from the leader) makes them resync. Read workers get
 * the same events over IPC (workers/worker-supervisor.ts listens here).
 */
@Injectable()
export class NodeWatchHub {
  readonly hub: WatchHub;
  readonly reader: StateReader;
  private readonly listeners: EventsListener[] = [];

  constructor(state: StateService, metrics: WatchMetrics, @Inject(APP_CONFIG) config: AppConfig) {
    const view = state.appliedView;
    this.reader = view;
    this.hub = new WatchHub(
      view,
      new TokenAuthenticator(view, config.adminToken),
      config.watch,
      metrics,
    );
    view.onChange((event) => {
      if (event.kind === 'load') this.hub.reset(event.appliedIndex);
      else if (event.changes.namespaces.size > 0 || event.changes.tokens.size > 0)
        this.hub.revalidate();
    });
    state.onApplied((batch) => {
      const events = eventsOfBatch(batch, view);
      this.hub.publish(events, batch.appliedIndex);
      for (const listener of this.listeners) listener(events, batch.appliedIndex);
    });
  }

  onEvents(listener: EventsListener): void {
    this.listeners.push(listener);
  }
}
