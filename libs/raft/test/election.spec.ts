import { ScriptedCluster } from './scripted-cluster';

const THREE = ['n1', 'n2', 'n3'];
const FIVE = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('leader election (Raft §5.2)', () => {
  it('elects exactly one leader after an election timeout and commits its no-op', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.tick(25);
    const leaders = cluster.leaders();
    expect(leaders).toHaveLength(1);
    const leader = cluster.raft(leaders[0]).status();
    for (const id of THREE) {
      const status = cluster.raft(id).status();
      expect(status.term).toBe(leader.term);
      expect(status.leader).toBe(leader.id);
      expect(status.commitIndex).toBe(1);
    }
  });

  it('waits at least electionTick before campaigning and at most 2 * electionTick', () => {
    const cluster = new ScriptedCluster(['n1']);
    cluster.tick(9);
    expect(cluster.leaders()).toEqual([]);
    cluster.tick(11);
    expect(cluster.leaders()).toEqual(['n1']);
  });

  it('a single-node cluster commits proposals immediately', () => {
    const cluster = new ScriptedCluster(['n1']);
    cluster.campaign('n1');
    const index = cluster.propose('n1', 'x');
    expect(cluster.raft('n1').status().commitIndex).toBe(index);
    expect(cluster.applied.get('n1')?.map((e) => e.type)).toEqual(['noop', 'normal']);
  });

  it('grants at most one vote per term', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.partition(['n1'], ['n2'], ['n3']);
    cluster.campaign('n1');
    cluster.campaign('n2');
    cluster.heal();
    // n3 hears from both candidates of term 1 in turn: only the first one gets its vote.
    cluster.raft('n3').step({
      type: 'vote',
      from: 'n1',
      to: 'n3',
      term: 1,
      lastLogIndex: 0,
      lastLogTerm: 0,
      leadershipTransfer: false,
    });
    cluster.raft('n3').step({
      type: 'vote',
      from: 'n2',
      to: 'n3',
      term: 1,
      lastLogIndex: 0,
      lastLogTerm: 0,
      leadershipTransfer: false,
    });
    const ready = cluster.raft('n3').ready();
    expect(ready.hardState?.vote).toBe('n1');
    expect(ready.messages.map((m) => m.type === 'voteResp' && [m.to, m.reject])).toEqual([
      ['n1', false],
      ['n2', true],
    ]);
  });

  it('rejects a candidate whose log is less up-to-date (§5.4.1)', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.isolate('n3');
    cluster.propose('n1', 'a');
    cluster.heal();
    cluster.isolate('n1');
    // n3 lacks entry 2: n2 refuses it, so n3 cannot win even though n1 is gone.
    cluster.campaign('n3');
    expect(cluster.raft('n3').status().role).toBe('candidate');
    expect(cluster.raft('n2').status().vote).toBeUndefined();
    cluster.campaign('n2');
    expect(cluster.leaders()).toContain('n2');
  });

  it('a leader steps down when it sees a higher term', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.campaign('n2');
    expect(cluster.leaders()).toEqual(['n2']);
    expect(cluster.raft('n1').status()).toMatchObject({ role: 'follower', term: 2, leader: 'n2' });
  });

  it('persists term and vote across a crash so a restarted node does not vote twice', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.partition(['n1', 'n3'], ['n2']);
    cluster.campaign('n1');
    cluster.crash('n3');
    cluster.restart('n3');
    expect(cluster.raft('n3').status()).toMatchObject({ term: 1, vote: 'n1' });
    cluster.raft('n3').step({
      type: 'vote',
      from: 'n2',
      to: 'n3',
      term: 1,
      lastLogIndex: 5,
      lastLogTerm: 1,
      leadershipTransfer: false,
    });
    const ready = cluster.raft('n3').ready();
    expect(ready.messages).toEqual([
      expect.objectContaining({ type: 'voteResp', to: 'n2', reject: true }),
    ]);
  });

  it('five nodes elect a leader even with two of them down', () => {
    const cluster = new ScriptedCluster(FIVE);
    cluster.crash('n4');
    cluster.crash('n5');
    cluster.tick(30, ['n1', 'n2', 'n3']);
    expect(cluster.leaders()).toHaveLength(1);
  });
});
