import { LogCompactedError } from '../src';
import { ScriptedCluster } from './scripted-cluster';

const THREE = ['n1', 'n2', 'n3'];

describe('log compaction and InstallSnapshot (§7)', () => {
  it('sends a snapshot to a follower that needs compacted entries, then resumes appending', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    cluster.isolate('n3');
    for (let i = 0; i < 10; i++) cluster.propose('n1', `v${i}`);
    const leader = cluster.sim('n1');
    const applied = leader.stateMachine.lastApplied;
    leader.storage.compact(cluster.raft('n1').compact(applied, leader.stateMachine.snapshot()));
    expect(leader.storage.firstIndex()).toBe(applied + 1);

    cluster.heal();
    cluster.tick(3);
    expect(cluster.delivered.some((m) => m.type === 'snapshot' && m.to === 'n3')).toBe(true);
    expect(cluster.sim('n3').storage.snapshot().meta.index).toBe(applied);
    expect(cluster.sim('n3').stateMachine.get('k')).toBe('v9');

    cluster.propose('n1', 'after');
    expect(cluster.sim('n3').stateMachine.get('k')).toBe('after');
    expect(cluster.raft('n3').status().commitIndex).toBe(cluster.raft('n1').status().commitIndex);
  });

  it('a restarted node recovers from its snapshot plus the log after it', () => {
    const cluster = new ScriptedCluster(THREE, {}, 3);
    cluster.campaign('n1');
    for (let i = 0; i < 7; i++) cluster.propose('n1', `v${i}`);
    cluster.crash('n2');
    cluster.restart('n2');
    const status = cluster.raft('n2').status();
    expect(status.firstIndex).toBeGreaterThan(1);
    expect(status.lastIndex).toBe(8);
    cluster.tick(2);
    expect(cluster.sim('n2').stateMachine.get('k')).toBe('v6');
  });

  it('refuses to compact beyond the applied index or below the first index', () => {
    const cluster = new ScriptedCluster(THREE);
    cluster.campaign('n1');
    expect(() => cluster.raft('n1').compact(5, new Uint8Array())).toThrow(/applied/);
    const leader = cluster.sim('n1');
    leader.storage.compact(cluster.raft('n1').compact(1, leader.stateMachine.snapshot()));
    expect(() => cluster.raft('n1').compact(0, new Uint8Array())).toThrow(LogCompactedError);
  });
});
