import { ErrorCode, OutcomeUnknown, ServiceUnavailable } from '@cc/common';
import { NotLeaderError } from '@cc/raft';
import { LoopCluster, SimNode } from '../../../../../test/support/raft/memory-ports';
import { encodeCommand } from '../../state/commands';
import { ProposalDropped } from './waiter-registry';

/**
 * The Ready loop on memory ports and the simulator's network (as etcd-io/raft tests its Ready
 * handling): no processes, no SQL, milliseconds per test.
 */
const create = (name: string) =>
  encodeCommand({ type: 'CreateNamespace', name, description: null, at: 1, operator: 'test' });

const others = (cluster: LoopCluster, node: SimNode) =>
  cluster.nodes.filter((other) => other !== node).map((other) => other.id);

/** Three loops whose storage outage is recoverable (DESIGN 23), a leader elected and settled. */
async function clusterWhoseDatabaseMayGo() {
  const outage = new Error('database unreachable');
  const cluster = new LoopCluster(['a', 'b', 'c'], {
    seed: 3,
    recoverable: (error) => error === outage,
  });
  cluster.start();
  const leader = await cluster.electedLeader();
  await cluster.round();
  return { outage, cluster, leader };
}

function loseDatabase(node: { store: { failure?: Error; failWrites: boolean } }, outage: Error) {
  node.store.failure = outage;
  node.store.failWrites = true;
}

describe('ReadyLoop', () => {
  it('commits a proposal on every node and answers it with the outcome apply gave', async () => {
    const cluster = new LoopCluster(['a', 'b', 'c']);
    cluster.start();
    const leader = await cluster.electedLeader();
    const outcome = leader.loop.propose(create('ns-1'));
    await cluster.until(() => cluster.nodes.every((node) => node.applier.applied.length === 1));
    await expect(outcome).resolves.toMatchObject({ ok: true, value: 'ns-1' });
    for (const node of cluster.nodes) expect(node.applier.applied).toEqual(['ns-1']);
    const follower = cluster.nodes.find((node) => node !== leader)!;
    expect(() => follower.loop.propose(create('ns-2'))).toThrow(NotLeaderError);
  });

  it('answers a proposal whose slot another leader filled as dropped (not applied), and every node applies the same log', async () => {
    const cluster = new LoopCluster(['a', 'b', 'c'], { seed: 11 });
    cluster.start();
    const old = await cluster.electedLeader();
    // The old leader is cut off before its entry reaches anyone: it stays leader for a while.
    cluster.network.partition([[old.id], others(cluster, old)]);
    const lost = old.loop.propose(create('lost'));
    const lostOutcome = lost.then(
      () => 'applied',
      (error: unknown) => error,
    );
    await cluster.until(() => {
      const leader = cluster.leader();
      return leader !== undefined && leader !== old && leader.loop.status().term > 1;
    });
    const successor = cluster.nodes.find(
      (node) => node !== old && node.loop.status().role === 'leader',
    )!;
    const kept = successor.loop.propose(create('kept'));
    await cluster.until(() => successor.applier.applied.includes('kept'));
    await expect(kept).resolves.toMatchObject({ ok: true, value: 'kept' });

    cluster.network.heal();
    await cluster.until(() => old.applier.applied.includes('kept'));
    const error = await lostOutcome;
    expect(error).toBeInstanceOf(ProposalDropped);
    expect((error as ProposalDropped).code).toBe(ErrorCode.RAFT_FAILED);
    expect((error as ProposalDropped).details).toEqual({ outcome: 'not_applied' });
    for (const node of cluster.nodes) expect(node.applier.applied).toEqual(['kept']);
    expect(old.loop.waiters.dropped).toBe(1);
  });

  it('installs a snapshot on a node that fell behind the compacted log: its waiters for covered entries are answered, its view is the leader’s', async () => {
    const cluster = new LoopCluster(['a', 'b', 'c'], { seed: 5, snapshotEntries: 5 });
    cluster.start();
    const old = await cluster.electedLeader();
    cluster.network.partition([[old.id], others(cluster, old)]);
    // Proposed on the deposed side: its index will be covered by the new leader's snapshot.
    const orphan = old.loop.propose(create('orphan')).then(
      () => 'applied',
      (error: unknown) => error,
    );
    const appliedWaiter = old.loop.untilApplied(12).then(() => 'applied');
    await cluster.until(() => cluster.leader() !== undefined && cluster.leader() !== old);
    const leader = cluster.leader()!;
    const written = Array.from({ length: 15 }, (_, i) => `ns-${i}`);
    for (const name of written) {
      const outcome = leader.loop.propose(create(name));
      await cluster.until(() => leader.applier.applied.includes(name));
      await expect(outcome).resolves.toMatchObject({ ok: true, value: name });
    }
    expect(leader.loop.compactionStats.snapshotsTaken).toBeGreaterThan(0);
    expect(leader.store.firstIndex()).toBeGreaterThan(2);

    cluster.network.heal();
    await cluster.until(() => old.applier.appliedIndex === leader.applier.appliedIndex);
    expect(old.applier.restoredFrom.length).toBe(1);
    expect(old.loop.compactionStats.snapshotsInstalled).toBe(1);
    expect(old.applier.applied).toEqual(leader.applier.applied);
    expect(old.applier.applied).toEqual(written);
    expect(await orphan).toBeInstanceOf(OutcomeUnknown);
    await expect(appliedWaiter).resolves.toBe('applied');
  });

  it('stops for good when its storage fails: pending writes answered 50003, no more messages, the node is told', async () => {
    const cluster = new LoopCluster(['a', 'b', 'c'], { seed: 3 });
    cluster.start();
    const leader = await cluster.electedLeader();
    await cluster.round();
    leader.store.failWrites = true;
    const outcome = leader.loop.propose(create('never')).then(
      () => 'applied',
      (error: unknown) => error,
    );
    await cluster.settle();
    expect(leader.loop.isStopped).toBe(true);
    expect(leader.fatal).toHaveLength(1);
    expect(leader.transport.closed).toBe(true);
    const error = await outcome;
    expect(error).toBeInstanceOf(OutcomeUnknown);
    expect((error as OutcomeUnknown).code).toBe(ErrorCode.RAFT_FAILED);

    const sent = leader.transport.sent;
    const survivors = cluster.nodes.filter((node) => node !== leader);
    await cluster.until(() => survivors.some((node) => node.loop.status().role === 'leader'));
    expect(leader.transport.sent).toBe(sent);
    const successor = survivors.find((node) => node.loop.status().role === 'leader')!;
    const next = successor.loop.propose(create('after'));
    await cluster.until(() => survivors.every((node) => node.applier.applied.includes('after')));
    await expect(next).resolves.toMatchObject({ ok: true });
  });

  it('suspends when its database goes away and resumes from it when it is back (DESIGN 23)', async () => {
    const { outage, cluster, leader } = await clusterWhoseDatabaseMayGo();
    loseDatabase(leader, outage);
    const inFlight = leader.loop.propose(create('in-flight')).then(
      () => 'applied',
      (error: unknown) => error,
    );
    await cluster.settle();
    expect(leader.loop.isSuspended).toBe(true);
    expect(leader.loop.isStopped).toBe(false);
    expect(leader.fatal).toEqual([]);
    expect(await inFlight).toBeInstanceOf(OutcomeUnknown);
    // Leadership given up: it leads nobody, refuses writes and reads at once, stays silent.
    expect(leader.loop.status()).toMatchObject({ role: 'follower', leader: undefined });
    expect(() => leader.loop.propose(create('refused'))).toThrow(ServiceUnavailable);
    expect(() => leader.loop.readIndex('r')).toThrow(ServiceUnavailable);

    const survivors = cluster.nodes.filter((node) => node !== leader);
    await cluster.until(() => survivors.some((node) => node.loop.status().role === 'leader'));
    const successor = survivors.find((node) => node.loop.status().role === 'leader')!;
    const next = successor.loop.propose(create('while-away'));
    await cluster.until(() =>
      survivors.every((node) => node.applier.applied.includes('while-away')),
    );
    await expect(next).resolves.toMatchObject({ ok: true });
    expect(leader.applier.applied).not.toContain('while-away');

    leader.store.failWrites = false;
    await leader.loop.resume();
    expect(leader.loop.isSuspended).toBe(false);
    await cluster.until(() => leader.applier.applied.includes('while-away'));
    expect(leader.loop.status().leader).toBe(successor.id);
    expect(leader.applier.applied).toEqual(successor.applier.applied);
  });

  it('on suspend, answers 50301 (not applied) to a proposal never handed to storage or transport, 50003 to one that was', async () => {
    const { outage, cluster, leader } = await clusterWhoseDatabaseMayGo();
    let release!: () => void;
    leader.store.gate = new Promise((resolve) => (release = resolve));
    loseDatabase(leader, outage);
    const outcomeOf = (name: string) =>
      leader.loop.propose(create(name)).then(
        () => 'applied',
        (error: unknown) => error,
      );
    const sent = outcomeOf('sent');
    // The loop takes the Ready holding 'sent' and waits on the database with it.
    await new Promise((resolve) => setImmediate(resolve));
    const neverSent = outcomeOf('never-sent');
    release();
    await cluster.settle();
    expect(leader.loop.isSuspended).toBe(true);
    expect(await sent).toBeInstanceOf(OutcomeUnknown);
    const refused = await neverSent;
    expect(refused).toBeInstanceOf(ServiceUnavailable);
    expect((refused as ServiceUnavailable).code).toBe(ErrorCode.UNAVAILABLE);
  });

  it('resumes once when asked again while a resume is under way', async () => {
    const { outage, cluster, leader } = await clusterWhoseDatabaseMayGo();
    loseDatabase(leader, outage);
    void leader.loop.propose(create('lost')).catch(() => undefined);
    await cluster.settle();
    expect(leader.loop.isSuspended).toBe(true);

    leader.store.failWrites = false;
    let release!: () => void;
    leader.store.gate = new Promise((resolve) => (release = resolve));
    const first = leader.loop.resume();
    const second = leader.loop.resume();
    release();
    await Promise.all([first, second]);
    expect(leader.store.loads).toBe(1);
    expect(leader.loop.isSuspended).toBe(false);
    leader.store.gate = undefined;
    const survivors = cluster.nodes.filter((node) => node !== leader);
    await cluster.until(() => survivors.some((node) => node.loop.status().role === 'leader'));
    const successor = survivors.find((node) => node.loop.status().role === 'leader')!;
    const next = successor.loop.propose(create('after'));
    await cluster.until(() =>
      cluster.nodes.every((node) => node.applier.applied.includes('after')),
    );
    await expect(next).resolves.toMatchObject({ ok: true });
  });

  it('fails the linearizable reads a leader change may have lost, retryably', async () => {
    const cluster = new LoopCluster(['a', 'b', 'c'], { seed: 9 });
    cluster.start();
    const old = await cluster.electedLeader();
    const follower = cluster.nodes.find((node) => node !== old)!;
    await cluster.until(() => follower.loop.status().leader === old.id);
    cluster.network.partition([[old.id], others(cluster, old)]);
    const read = follower.loop.readIndex('ctx-1').then(
      () => 'confirmed',
      (error: unknown) => error,
    );
    await cluster.until(() => cluster.leader() !== undefined && cluster.leader() !== old);
    const error = await read;
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect(error).toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      details: { consistency: 'linearizable' },
    });
  });
});
