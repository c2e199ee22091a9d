import { ScriptedCluster } from './scripted-cluster';

const THREE = ['n1', 'n2', 'n3'];
const FIVE = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('log replication (Raft §5.3)', () => {
  it('replicates and applies proposals on every node in order', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    for (const value of ['a', 'b', 'c']) cluster.propose('n1', value);
    for (const id of THREE) {
      expect(cluster.applied.get(id)?.map((e) => e.index)).toEqual([1, 2, 3, 4]);
      expect(cluster.sim(id).stateMachine.get('k')).toBe('c');
    }
  });

  it('repairs a follower whose log diverges, skipping a whole conflicting term per round trip', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.propose('n1', 'a');
    // n1 leads term 1 alone and appends 20 entries nobody else gets.
    cluster.isolate('n1');
    for (let i = 0; i < 20; i++) cluster.propose('n1', `stale-${i}`);
    // n2 leads term 2 with n3 and commits different entries.
    cluster.heal();
    cluster.isolate('n1');
    cluster.campaign('n2');
    for (let i = 0; i < 3; i++) cluster.propose('n2', `fresh-${i}`);
    cluster.heal();
    cluster.delivered.length = 0;
    cluster.tick(3);

    const leaderTerms = cluster.persistedTerms('n2');
    expect(cluster.persistedTerms('n1')).toEqual(leaderTerms);
    expect(cluster.sim('n1').stateMachine.get('k')).toBe('fresh-2');
    // Without the conflict-term hint this would take one rejection per stale entry (20).
    const rejections = cluster.delivered.filter(
      (m) => m.type === 'appendResp' && m.reject && m.from === 'n1',
    );
    expect(rejections.length).toBeLessThanOrEqual(2);
  });

  it('a follower never truncates committed entries on a stale append', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.propose('n1', 'a');
    const status = cluster.raft('n2').status();
    cluster.raft('n2').step({
      type: 'append',
      from: 'n1',
      to: 'n2',
      term: 1,
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries: [],
      commit: 0,
    });
    const ready = cluster.raft('n2').ready();
    expect(ready.messages).toEqual([
      expect.objectContaining({ type: 'appendResp', reject: false, index: status.commitIndex }),
    ]);
    expect(cluster.raft('n2').status().lastIndex).toBe(status.lastIndex);
  });

  it('pipelines appends up to the inflight limit and resumes when acknowledgements arrive', () => {
    const cluster = new ScriptedCluster(THREE, { maxInflight: 2, maxEntriesPerMessage: 1 });
    cluster.campaign('n1');
    for (let i = 0; i < 5; i++) cluster.raft('n1').propose(cluster.put(`v${i}`));
    const outcome = cluster.sim('n1').processReady();
    const sent = outcome?.messages.filter((m) => m.type === 'append' && m.to === 'n2');
    expect(sent?.map((m) => m.type === 'append' && m.entries.map((e) => e.index))).toEqual([
      [2],
      [3],
    ]);
    // Those messages are lost: heartbeats reveal the gap and replication resumes.
    cluster.tick(5);
    expect(cluster.raft('n2').status().commitIndex).toBe(6);
  });

  /**
   * Figure 8 of the paper: an entry from an earlier term stored on a majority can still be
   * overwritten, so a leader must not count replicas to commit it; it commits only when an
   * entry of its own term reaches a majority.
   */
  describe('commit rule for entries of earlier terms (§5.4.2, Figure 8)', () => {
    function figure8(): ScriptedCluster {
      const cluster = new ScriptedCluster(FIVE, { maxEntriesPerMessage: 1 });
      cluster.campaign('n1'); // term 1, no-op at index 1 committed everywhere
      // (a) n1 replicates index 2 (term 1) to n2 only.
      cluster.partition(['n1', 'n2'], ['n3', 'n4', 'n5']);
      cluster.propose('n1', 'from-term-1');
      // (b) n5 wins term 2 with n3 and n4, appends its no-op at index 2, replicates nothing.
      cluster.crash('n1');
      cluster.heal();
      cluster.isolate('n2');
      cluster.dropWhen = (m) => m.from === 'n5' && m.type === 'append';
      cluster.campaign('n5');
      expect(cluster.leaders()).toEqual(['n5']);
      // (c) n5 crashes, n1 wins term 3 with n2, n3, n4 and copies index 2 (term 1) to n3; its
      // own no-op (index 3) reaches only n2.
      cluster.crash('n5');
      cluster.heal();
      cluster.restart('n1');
      // The others drop it once they hold index 2.
      cluster.dropWhen = (m) =>
        m.type === 'append' &&
        m.to !== 'n2' &&
        m.entries.some((e) => e.index === 3) &&
        (cluster.sim(m.to).raft?.status().lastIndex ?? 0) >= 2;
      cluster.campaign('n1'); // term 2: n3 and n4 already voted for n5, n1 loses
      cluster.campaign('n1'); // term 3
      expect(cluster.leaders()).toEqual(['n1']);
      return cluster;
    }

    it('does not commit an earlier-term entry stored on a majority', () => {
      const cluster = figure8();
      expect(cluster.persistedTerms('n3').slice(0, 2)).toEqual([1, 1]);
      // Index 2 (term 1) is on n1, n2, n3: a majority, yet not committed.
      expect(cluster.raft('n1').status().commitIndex).toBe(1);
    });

    it('lets a later leader overwrite that entry, which is why it was not committed', () => {
      const cluster = figure8();
      // (d) n1 crashes; n5 (last term 2) wins term 4 with n3 and n4 and overwrites index 2.
      cluster.crash('n1');
      cluster.restart('n5');
      cluster.heal();
      cluster.isolate('n2');
      cluster.campaign('n5'); // term 3: n3 and n4 already voted for n1
      cluster.campaign('n5'); // term 4
      expect(cluster.leaders()).toEqual(['n5']);
      expect(cluster.persistedTerms('n3')[1]).toBe(2);
      for (const id of FIVE) {
        const applied = cluster.applied.get(id) ?? [];
        expect(applied.some((e) => e.index === 2 && e.term === 1)).toBe(false);
      }
    });

    it('commits the earlier-term entry once an entry of the current term reaches a majority', () => {
      const cluster = figure8();
      cluster.heal();
      cluster.tick(2);
      expect(cluster.raft('n1').status().commitIndex).toBe(3);
      // (e) now n5 can no longer win: a majority holds a more up-to-date log.
      cluster.crash('n1');
      cluster.restart('n5');
      cluster.campaign('n5');
      expect(cluster.raft('n5').status().role).not.toBe('leader');
    });
  });
});
