import { AppliedBatch } from '../state/command-log';
import { Command } from '../state/commands';
import { appliedChanges, changedVersionLists } from './applied-changes';

const meta = { at: 1, operator: 'test' };
const entry = (index: number, command: Command, ok = true): AppliedBatch['commands'][number] => ({
  index,
  command,
  outcome: ok
    ? { ok: true, revision: index, value: {} }
    : { ok: false, revision: index, error: { code: 40901, message: 'conflict' } },
});

describe('appliedChanges', () => {
  it('names the keys each write changed, and which entries the acknowledgement waits for', () => {
    const changes = appliedChanges({
      appliedIndex: 14,
      commands: [
        entry(10, {
          ...meta,
          type: 'WriteConfig',
          operation: { op: 'update', namespace: 'app', key: 'a:b', valueText: '1' },
        }),
        entry(11, {
          ...meta,
          type: 'WriteBatch',
          operations: [
            { op: 'delete', namespace: 'app', key: 'c' },
            { op: 'upsert', namespace: 'versions', key: '键', valueText: '2' },
          ],
        }),
        entry(
          12,
          {
            ...meta,
            type: 'WriteConfig',
            operation: { op: 'create', namespace: 'app', key: 'refused', valueText: '1' },
          },
          false,
        ),
        entry(13, {
          ...meta,
          type: 'SetVersionKept',
          namespace: 'app',
          key: 'a:b',
          version: 1,
          kept: true,
        }),
        entry(14, {
          ...meta,
          type: 'BootstrapSystem',
          settings: [{ key: 'audit', valueText: '{}', description: null }],
        }),
      ],
    } as AppliedBatch);
    expect(changes.configs).toEqual(
      new Map([
        ['app', new Set(['a:b', 'c'])],
        ['versions', new Set(['键'])],
        ['_system', new Set(['audit'])],
      ]),
    );
    expect(changes.versionLists).toEqual(new Map([['app', new Set(['a:b'])]]));
    // The keys whose version-list pages go: written or kept, never `_system`'s.
    expect(changedVersionLists(changes)).toEqual(
      new Map([
        ['app', new Set(['a:b', 'c'])],
        ['versions', new Set(['键'])],
      ]),
    );
    // `_system` is never mirrored in Redis (admins only): nothing to wait for at 14.
    expect(changes.filledIndexes).toEqual([10, 11]);
    expect(changes.prunes).toEqual([]);
  });

  it('reports a prune with its index and keepLatest, and waits for it', () => {
    const changes = appliedChanges({
      appliedIndex: 20,
      commands: [entry(20, { ...meta, type: 'PruneVersions', keepLatest: 5, olderThan: 0 })],
    } as AppliedBatch);
    expect(changes.prunes).toEqual([{ index: 20, keepLatest: 5 }]);
    expect(changes.filledIndexes).toEqual([20]);
  });
});
