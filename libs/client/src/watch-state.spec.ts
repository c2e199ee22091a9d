import { WatchState } from './watch-state';

describe('WatchState', () => {
  const snapshot = {
    revision: 10,
    configs: [
      { namespace: 'app', key: 'a', version: 1, value: 1 },
      { namespace: 'app', key: 'b', version: 2, value: 'x' },
    ],
  };

  it('applies each event once: a replay at or below the revision is dropped', () => {
    const state = new WatchState();
    state.applySnapshot(snapshot, 'snapshot');
    const event = {
      revision: 11,
      changes: [{ namespace: 'app', key: 'a', op: 'update' as const, version: 2, value: 5 }],
    };
    expect(state.applyEvent(event)?.changes).toEqual([
      expect.objectContaining({ key: 'a', op: 'update', value: 5, previousValue: 1, revision: 11 }),
    ]);
    expect(state.applyEvent(event)).toBeUndefined();
    expect(state.applyEvent({ ...event, revision: 9 })).toBeUndefined();
    expect(state.get('app', 'a')).toEqual({ version: 2, value: 5 });
    expect(state.revision).toBe(11);
  });

  it('treats a delete as gone with a null value', () => {
    const state = new WatchState();
    state.applySnapshot(snapshot, 'snapshot');
    const update = state.applyEvent({
      revision: 12,
      changes: [{ namespace: 'app', key: 'b', op: 'delete', version: 3, value: null }],
    });
    expect(update?.changes[0]).toMatchObject({ op: 'delete', value: null, previousValue: 'x' });
    expect(state.get('app', 'b')).toBeUndefined();
  });

  it('replaces everything with a snapshot and reports only the differences', () => {
    const state = new WatchState();
    state.applySnapshot(snapshot, 'snapshot');
    const update = state.applySnapshot(
      {
        revision: 20,
        configs: [
          { namespace: 'app', key: 'a', version: 1, value: 1 },
          { namespace: 'app', key: 'c', version: 1, value: true },
          { namespace: 'other', key: 'b', version: 4, value: 'y' },
        ],
      },
      'snapshot',
    );
    const seen = update.changes.map((c) => `${c.op} ${c.namespace}/${c.key}`).sort();
    expect(seen).toEqual(['create app/c', 'create other/b', 'delete app/b']);
    expect(state.revision).toBe(20);
    expect(state.entries()).toHaveLength(3);
  });
});
