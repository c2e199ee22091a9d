import { ScriptedCluster } from './scripted-cluster';

const THREE = ['n1', 'n2', 'n3'];

describe('ReadIndex (thesis §6.4)', () => {
  it('serves a read on the leader at its commit index after a heartbeat round', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    const index = cluster.propose('n1', 'a');
    cluster.raft('n1').readIndex('read-1');
    cluster.deliver();
    expect(cluster.readStates.get('n1')).toEqual([{ index, requestContext: 'read-1' }]);
    const heartbeats = cluster.delivered.filter(
      (m) => m.type === 'heartbeat' && m.readContext === 'read-1',
    );
    expect(heartbeats).toHaveLength(2);
  });

  it('forwards a follower request to the leader and returns the read index to it', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    const index = cluster.propose('n1', 'a');
    cluster.raft('n3').readIndex('read-on-follower');
    cluster.deliver();
    expect(cluster.readStates.get('n3')).toEqual([{ index, requestContext: 'read-on-follower' }]);
  });

  it('a deposed leader that cannot reach a quorum never answers a read', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.isolate('n1');
    cluster.campaign('n2');
    cluster.propose('n2', 'newer');
    // n1 still believes it leads term 1, but no quorum confirms it: no stale read.
    cluster.raft('n1').readIndex('stale');
    cluster.tick(5, ['n1']);
    expect(cluster.readStates.get('n1')).toEqual([]);
  });

  it('a new leader answers only after committing an entry of its own term', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.dropWhen = (m) => m.type === 'appendResp';
    cluster.campaign('n2');
    cluster.raft('n2').readIndex('early');
    cluster.deliver();
    expect(cluster.readStates.get('n2')).toEqual([]);
    cluster.dropWhen = () => false;
    cluster.tick(2);
    const commit = cluster.raft('n2').status().commitIndex;
    expect(cluster.readStates.get('n2')).toEqual([{ index: commit, requestContext: 'early' }]);
  });

  it('throws NotLeaderError on a follower that knows no leader', () => {
    const cluster = new ScriptedCluster(THREE);
    expect(() => cluster.raft('n1').readIndex('x')).toThrow(/not the leader/);
  });
});
