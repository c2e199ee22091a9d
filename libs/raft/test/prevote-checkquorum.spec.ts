import { ScriptedCluster } from './scripted-cluster';

const THREE = ['n1', 'n2', 'n3'];

describe('pre-vote (thesis §9.6)', () => {
  it('keeps a partitioned node from inflating its term, so it cannot disrupt on return', () => {
    const cluster = new ScriptedCluster(THREE, { preVote: true });
    cluster.campaign('n1');
    cluster.isolate('n3');
    cluster.tick(100, ['n3']);
    expect(cluster.raft('n3').status()).toMatchObject({ term: 1, role: 'preCandidate' });
    cluster.heal();
    cluster.tick(5);
    expect(cluster.leaders()).toEqual(['n1']);
    expect(cluster.raft('n1').status().term).toBe(1);
  });

  it('without pre-vote the same partition forces a new election with a higher term', () => {
    const cluster = new ScriptedCluster(THREE, { preVote: false });
    cluster.campaign('n1');
    cluster.isolate('n3');
    cluster.tick(100, ['n3']);
    expect(cluster.raft('n3').status().term).toBeGreaterThan(3);
    cluster.heal();
    cluster.tick(30);
    expect(cluster.raft('n1').status().term).toBeGreaterThan(3);
  });
});

describe('check quorum and leader lease (thesis §6.2, §4.2.3)', () => {
  it('a leader that hears from no quorum within an election timeout steps down', () => {
    const cluster = new ScriptedCluster(THREE, { checkQuorum: true });
    cluster.campaign('n1');
    cluster.isolate('n1');
    cluster.tick(21, ['n1']);
    expect(cluster.raft('n1').status()).toMatchObject({ role: 'follower', leader: undefined });
  });

  it('a leader that keeps hearing from a quorum stays leader', () => {
    const cluster = new ScriptedCluster(THREE, { checkQuorum: true });
    cluster.campaign('n1');
    cluster.tick(50);
    expect(cluster.leaders()).toEqual(['n1']);
    expect(cluster.raft('n1').status().term).toBe(1);
  });

  it('followers with a live leader ignore vote requests of a higher term', () => {
    const cluster = new ScriptedCluster(THREE, { checkQuorum: true });
    cluster.campaign('n1');
    cluster.isolate('n3');
    cluster.campaign('n3'); // without pre-vote n3 bumps its term to 2
    cluster.heal();
    cluster.campaign('n3');
    expect(cluster.leaders()).toEqual(['n1']);
    expect(cluster.raft('n2').status()).toMatchObject({ term: 1, leader: 'n1' });
  });
});
