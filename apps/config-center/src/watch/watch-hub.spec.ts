import { AppError } from '@cc/common';
import { TokenAuthenticator } from '../auth/token-authenticator';
import { AppliedBatch } from '../state/command-log';
import { Command, CommandOutcome } from '../state/commands';
import { NamespaceRecord } from '../state/records';
import { StateView } from '../state/state-view';
import { EventHistory } from './event-history';
import { eventsOfBatch } from './watch-event';
import { SharedSnapshot, WatchFrame, WatchHub, WatchSink } from './watch-hub';

const ADMIN = 'Bearer unit-test-admin-token-0123456789';
const namespace: NamespaceRecord = {
  id: 1,
  name: 'app',
  description: null,
  status: 1,
  revision: 1,
  createdAt: 0,
  updatedAt: 0,
};

function put(
  index: number,
  key: string,
  value: number,
  version: number,
): AppliedBatch['commands'][number] {
  const command = {
    type: 'WriteConfig',
    at: 0,
    operator: 'test',
    operation: { op: 'upsert', namespace: 'app', key, valueText: JSON.stringify(value) },
  } as Command;
  const outcome: CommandOutcome = {
    ok: true,
    revision: index,
    value: {
      id: 1,
      namespace: 'app',
      key,
      version,
      old_version: version > 1 ? version - 1 : null,
      revision: index,
    },
  };
  return { index, command, outcome };
}

class RecordingSink implements WatchSink {
  readonly kind = 'sse';
  readonly frames: WatchFrame[] = [];
  readonly snapshots: SharedSnapshot[] = [];
  readonly errors: AppError[] = [];
  events(frames: WatchFrame[]): void {
    this.frames.push(...frames);
  }
  snapshot(snapshot: SharedSnapshot): void {
    this.snapshots.push(snapshot);
  }
  fail(error: AppError): void {
    this.errors.push(error);
  }
}

function setup(historyEvents = 100, maxWatchersPerClient = 2) {
  const view = new StateView();
  view.load(1, [namespace], []);
  const hub = new WatchHub(view, new TokenAuthenticator(view, ADMIN.slice(7)), {
    maxWatchers: 2,
    maxWatchersPerClient,
    historyEvents,
    historyBytes: 1 << 20,
  });
  const filter = { namespaces: ['app'], prefix: '', id: 'app' };
  return { view, hub, filter };
}

describe('watch events (DESIGN 24)', () => {
  it('makes two writes to one key in one applied batch two events, in log order', () => {
    const { view } = setup();
    const events = eventsOfBatch(
      { appliedIndex: 3, commands: [put(2, 'k', 1, 1), put(3, 'k', 2, 2)] },
      view,
    );
    expect(events).toEqual([
      {
        revision: 2,
        changes: [{ namespace: 'app', key: 'k', op: 'create', version: 1, value: 1 }],
      },
      {
        revision: 3,
        changes: [{ namespace: 'app', key: 'k', op: 'update', version: 2, value: 2 }],
      },
    ]);
  });

  it('makes no event of a refused write nor of an idempotent repeat of an older entry', () => {
    const { view } = setup();
    const repeat = put(5, 'k', 1, 1);
    repeat.outcome = { ...repeat.outcome, revision: 2 };
    const refused = put(6, 'k', 1, 1);
    refused.outcome = { ok: false, revision: 6, error: { code: 40901, message: 'conflict' } };
    expect(eventsOfBatch({ appliedIndex: 6, commands: [repeat, refused] }, view)).toEqual([]);
  });
});

describe('EventHistory', () => {
  it('drops the oldest events past its count and raises its floor to the last one dropped', () => {
    const history = new EventHistory(2, 1 << 20, 1);
    for (const revision of [2, 3, 4]) history.append({ revision, changes: [] });
    expect(history.size).toBe(2);
    expect(history.floor).toBe(2);
    expect(history.covers(1)).toBe(false);
    expect(history.after(2).map((entry) => entry.event.revision)).toEqual([3, 4]);
    expect(history.after(3).map((entry) => entry.event.revision)).toEqual([4]);
  });

  it('is bounded by bytes too, keeping at least the newest event', () => {
    const history = new EventHistory(100, 10, 0);
    history.append({ revision: 1, changes: [] });
    history.append({ revision: 2, changes: [] });
    expect(history.size).toBe(1);
    expect(history.floor).toBe(1);
  });
});

describe('WatchHub', () => {
  it('serves a resume point inside the history from it, one outside with a snapshot', () => {
    const { view, hub, filter } = setup(2);
    const events = [2, 3, 4].map((index) => ({
      revision: index,
      changes: [
        { namespace: 'app', key: 'k', op: 'update' as const, version: index, value: index },
      ],
    }));
    for (const event of events) hub.publish([event], event.revision);
    const inside = new RecordingSink();
    hub.attach(inside, { filter, revision: 2 }, ADMIN);
    expect(inside.frames.map((frame) => frame.revision)).toEqual([3, 4]);
    const outside = new RecordingSink();
    hub.attach(outside, { filter, revision: 1 }, ADMIN);
    expect(outside.frames).toEqual([]);
    expect(outside.snapshots.map((snapshot) => snapshot.revision)).toEqual([view.appliedIndex]);
  });

  it('resyncs every watcher with a snapshot when the state is replaced, and refuses past its maximum with 50301', () => {
    const { view, hub, filter } = setup();
    const sink = new RecordingSink();
    hub.attach(sink, { filter, revision: 1 }, ADMIN);
    hub.attach(new RecordingSink(), { filter, revision: 1 }, ADMIN);
    expect(() => hub.attach(new RecordingSink(), { filter, revision: 1 }, ADMIN)).toThrow(
      expect.objectContaining({ code: 50301 }),
    );
    view.load(40, [namespace], []);
    hub.reset(40);
    expect(sink.snapshots.map((snapshot) => snapshot.revision)).toEqual([40]);
    expect(hub.historyFloor).toBe(40);
    const change = { namespace: 'app', key: 'k', op: 'create' as const, version: 1, value: 1 };
    hub.publish([{ revision: 41, changes: [change] }], 41);
    expect(sink.frames.map((frame) => frame.revision)).toEqual([41]);
  });

  it('refuses a client past its own bound with 42902, and takes it again once one of its watchers left', () => {
    const { hub, filter } = setup(100, 1);
    const first = hub.attach(new RecordingSink(), { filter, revision: 1 }, ADMIN);
    expect(() => hub.attach(new RecordingSink(), { filter, revision: 1 }, ADMIN)).toThrow(
      expect.objectContaining({ code: 42902 }),
    );
    expect(hub.count('sse')).toBe(1);
    hub.detach(first);
    hub.attach(new RecordingSink(), { filter, revision: 1 }, ADMIN);
    expect(hub.count('sse')).toBe(1);
  });

  it('serializes a snapshot once per filter and revision, shared by every watcher that needs it', () => {
    const { hub, filter } = setup();
    const first = new RecordingSink();
    const second = new RecordingSink();
    hub.attach(first, { filter, revision: undefined }, ADMIN);
    hub.attach(second, { filter, revision: undefined }, ADMIN);
    expect(first.snapshots[0].built).toBe(true);
    expect(second.snapshots[0].built).toBe(false);
    expect(second.snapshots[0].json).toBe(first.snapshots[0].json);
  });

  it('ends watchers with the reason when their namespace is disabled, and all with 50301 on stop', () => {
    const { view, hub, filter } = setup();
    const sink = new RecordingSink();
    hub.attach(sink, { filter, revision: 1 }, ADMIN);
    view.commit(
      {
        namespaces: new Map([[1, { ...namespace, status: 0 }]]),
        configs: new Map(),
        tokens: new Map(),
      },
      2,
    );
    hub.revalidate();
    expect(sink.errors.map((error) => error.code)).toEqual([40301]);
    expect(hub.count('sse')).toBe(0);
    const other = new RecordingSink();
    view.commit(
      { namespaces: new Map([[1, namespace]]), configs: new Map(), tokens: new Map() },
      3,
    );
    hub.attach(other, { filter, revision: 3 }, ADMIN);
    hub.stop();
    expect(other.errors.map((error) => error.code)).toEqual([50301]);
  });
});
