import { coalesceMessages } from '../src/coalesce';
import { limitSize } from '../src/raft-log';
import type { AppendRequest, Entry, Message } from '../src/types';
import { ScriptedCluster } from './scripted-cluster';

const THREE = ['n1', 'n2', 'n3'];
const BUDGET = 1_000;

const entry = (index: number, bytes: number): Entry => ({
  index,
  term: 1,
  type: 'normal',
  data: new Uint8Array(bytes),
});
const dataBytes = (entries: readonly Entry[]): number =>
  entries.reduce((sum, e) => sum + e.data.byteLength, 0);

function append(prevLogIndex: number, sizes: number[]): AppendRequest {
  return {
    type: 'append',
    from: 'n1',
    to: 'n2',
    term: 1,
    prevLogIndex,
    prevLogTerm: prevLogIndex === 0 ? 0 : 1,
    entries: sizes.map((bytes, i) => entry(prevLogIndex + 1 + i, bytes)),
    commit: 0,
  };
}

const appendsTo = (messages: readonly Message[], to: string): AppendRequest[] =>
  messages.filter((m): m is AppendRequest => m.type === 'append' && m.to === to);

describe('append messages are capped by bytes (etcd MaxSizePerMsg)', () => {
  it('limitSize keeps entries while they fit, and always the first', () => {
    expect(limitSize([], BUDGET)).toEqual([]);
    expect(limitSize([entry(1, 5_000)], BUDGET)).toHaveLength(1);
    expect(limitSize([entry(1, 5_000), entry(2, 1)], BUDGET)).toHaveLength(1);
    expect(limitSize([entry(1, 400), entry(2, 600), entry(3, 1)], BUDGET)).toHaveLength(2);
    expect(limitSize([entry(1, 400), entry(2, 601)], BUDGET)).toHaveLength(1);
    expect(limitSize([entry(1, 0), entry(2, 0), entry(3, 0)], BUDGET)).toHaveLength(3);
  });

  it('a follower catching up gets appends within the budget, a larger entry alone', () => {
    const cluster = new ScriptedCluster(THREE, { maxBytesPerMessage: BUDGET });
    cluster.campaign('n1');
    cluster.cut('n1', 'n3');
    cluster.cut('n2', 'n3');
    for (let i = 0; i < 30; i++) cluster.propose('n1', 'x'.repeat(i === 10 ? 3_000 : 250));
    cluster.sent.length = 0;
    cluster.heal();
    cluster.tick(5);

    const appends = appendsTo(cluster.sent, 'n3').filter((m) => m.entries.length > 0);
    expect(appends.length).toBeGreaterThan(5);
    for (const message of appends) {
      if (message.entries.length > 1)
        expect(dataBytes(message.entries)).toBeLessThanOrEqual(BUDGET);
    }
    expect(appends.some((m) => m.entries.length === 1 && dataBytes(m.entries) > BUDGET)).toBe(true);
    expect(cluster.persistedTerms('n3')).toEqual(cluster.persistedTerms('n1'));
    expect(cluster.sim('n3').stateMachine.get('k')).toBe('x'.repeat(250));
  });

  it('without a budget, the same catch-up takes far fewer, larger appends (the default is 1 MiB)', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.cut('n1', 'n3');
    cluster.cut('n2', 'n3');
    for (let i = 0; i < 30; i++) cluster.propose('n1', 'x'.repeat(250));
    cluster.sent.length = 0;
    cluster.heal();
    cluster.tick(5);
    const sizes = appendsTo(cluster.sent, 'n3').map((m) => dataBytes(m.entries));
    expect(Math.max(...sizes)).toBeGreaterThan(BUDGET);
  });

  it('coalescing appends of one Ready respects the budget', () => {
    const merged = coalesceMessages(
      [append(0, [400]), append(1, [500]), append(2, [200])],
      64,
      BUDGET,
    );
    expect(merged).toHaveLength(2);
    expect((merged[0] as AppendRequest).entries).toHaveLength(2);
    expect((merged[1] as AppendRequest).prevLogIndex).toBe(2);
    // An empty append (a commit advance) still merges into a full one.
    const withCommit = coalesceMessages([append(0, [1_500]), append(1, [])], 64, BUDGET);
    expect(withCommit).toHaveLength(1);
  });

  it('refuses a budget that is not positive', () => {
    expect(() => new ScriptedCluster(THREE, { maxBytesPerMessage: 0 })).toThrow(
      /maxBytesPerMessage/,
    );
  });
});
