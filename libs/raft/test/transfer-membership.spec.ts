import {
  ConfChangeRejectedError,
  decodeConfChange,
  LeadershipTransferInProgressError,
} from '../src';
import { ScriptedCluster } from './scripted-cluster';

const THREE = ['n1', 'n2', 'n3'];

describe('leadership transfer (thesis §3.10)', () => {
  it('hands leadership to an up-to-date follower with TimeoutNow', () => {
    const cluster = new ScriptedCluster(THREE, { checkQuorum: true, preVote: true });
    cluster.campaign('n1');
    cluster.propose('n1', 'a');
    cluster.raft('n1').transferLeadership('n3');
    cluster.deliver();
    expect(cluster.leaders()).toEqual(['n3']);
    expect(cluster.raft('n1').status()).toMatchObject({ role: 'follower', leader: 'n3', term: 2 });
  });

  it('first catches a lagging target up, refusing proposals meanwhile', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.isolate('n3');
    cluster.propose('n1', 'a');
    cluster.raft('n1').transferLeadership('n3');
    expect(() => cluster.raft('n1').propose('b')).toThrow(LeadershipTransferInProgressError);
    cluster.heal();
    cluster.tick(2);
    expect(cluster.leaders()).toEqual(['n3']);
    expect(cluster.sim('n3').stateMachine.get('k')).toBe('a');
  });

  it('abandons a transfer that does not finish within an election timeout', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.crash('n3');
    cluster.raft('n1').transferLeadership('n3');
    cluster.tick(11, ['n1', 'n2']);
    expect(cluster.leaders()).toEqual(['n1']);
    expect(() => cluster.propose('n1', 'again')).not.toThrow();
  });
});

describe('single-server membership changes (thesis §4.1)', () => {
  it('adds a node: it catches up and then counts toward the quorum', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.propose('n1', 'a');
    cluster.addNode('n4');
    const { index } = cluster.raft('n1').proposeConfChange({ type: 'add', nodeId: 'n4' });
    // The new configuration is used as soon as it is appended, before it commits.
    expect(cluster.raft('n1').status().voters).toEqual(['n1', 'n2', 'n3', 'n4']);
    cluster.deliver();
    expect(cluster.raft('n4').status()).toMatchObject({ commitIndex: index, leader: 'n1' });
    expect(cluster.raft('n4').status().voters).toEqual(['n1', 'n2', 'n3', 'n4']);
    const confEntry = cluster.applied.get('n4')?.find((e) => e.type === 'conf');
    expect(confEntry && decodeConfChange(confEntry).change).toEqual({ type: 'add', nodeId: 'n4' });
    // With four voters a quorum is three: n1 and n2 alone can no longer commit.
    cluster.isolate('n3');
    cluster.isolate('n4');
    const blocked = cluster.propose('n1', 'b');
    expect(cluster.raft('n1').status().commitIndex).toBeLessThan(blocked);
  });

  it('removes a node: the rest commit without it', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.raft('n1').proposeConfChange({ type: 'remove', nodeId: 'n3' });
    cluster.deliver();
    cluster.crash('n3');
    const index = cluster.propose('n1', 'b');
    expect(cluster.raft('n2').status()).toMatchObject({ commitIndex: index, voters: ['n1', 'n2'] });
  });

  it('a removed leader steps down once the change commits', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.raft('n1').proposeConfChange({ type: 'remove', nodeId: 'n1' });
    cluster.deliver();
    expect(cluster.raft('n1').status().role).toBe('follower');
    cluster.tick(30, ['n2', 'n3']);
    const leaders = cluster.leaders();
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).not.toBe('n1');
  });

  it('accepts one change at a time, and only after the leader committed in its term', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.isolate('n1');
    cluster.raft('n1').proposeConfChange({ type: 'remove', nodeId: 'n3' });
    expect(() => cluster.raft('n1').proposeConfChange({ type: 'add', nodeId: 'n4' })).toThrow(
      ConfChangeRejectedError,
    );
    cluster.heal();
    cluster.dropWhen = (m) => m.type === 'appendResp';
    cluster.campaign('n2');
    expect(() => cluster.raft('n2').proposeConfChange({ type: 'add', nodeId: 'n4' })).toThrow(
      /not committed an entry of its term/,
    );
  });

  it('reverts to the previous configuration when an uncommitted change is overwritten', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.isolate('n1');
    cluster.raft('n1').proposeConfChange({ type: 'remove', nodeId: 'n3' });
    cluster.deliver();
    cluster.campaign('n2');
    cluster.propose('n2', 'x');
    cluster.heal();
    cluster.tick(3);
    expect(cluster.raft('n1').status().voters).toEqual(THREE);
  });
});
