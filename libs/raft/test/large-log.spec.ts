import { MemoryStorage } from '../src/memory-storage';
import { RaftLog } from '../src/raft-log';
import type { Entry } from '../src/types';

const entry = (index: number): Entry => ({
  index,
  term: 1,
  type: 'normal',
  data: new Uint8Array(0),
});

describe('a log of RAFT_SNAPSHOT_ENTRIES entries', () => {
  const COUNT = 200_000;

  it('appends one Ready at a time without copying the stored log, and truncates a conflict', () => {
    const storage = new MemoryStorage();
    for (let index = 1; index <= COUNT; index++) storage.append([entry(index)]);
    expect(storage.lastIndex()).toBe(COUNT);
    storage.append([{ ...entry(COUNT - 1), term: 2 }]);
    expect(storage.lastIndex()).toBe(COUNT - 1);
    expect(storage.term(COUNT - 1)).toBe(2);
    expect(storage.term(COUNT - 2)).toBe(1);
  });

  it('hands out a range longer than a call takes arguments (a restart applying a long tail)', () => {
    const storage = new MemoryStorage();
    storage.append(Array.from({ length: COUNT }, (_, i) => entry(i + 1)));
    const log = new RaftLog(storage, 0);
    const all = log.entries(1, COUNT + 1);
    expect(all).toHaveLength(COUNT);
    expect(all[COUNT - 1].index).toBe(COUNT);
  });
});
