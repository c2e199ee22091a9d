import { ClusterHarness, sleep } from '../support/cluster/harness';
import { uniqueName } from '../support/names';

/**
 * Raft traffic between real processes goes over one long-lived stream per directed link
 * (POST /internal/raft/stream), sender-initiated: the stream i -> j carries only i's messages
 * to j, so cutting that link (its TCP proxy) cuts exactly those, as with one request per batch.
 * With HTTP_WORKERS=2 every stream passes through a read worker's proxy on its way to the node.
 */
jest.setTimeout(180_000);

interface Member {
  id: string;
  reachable: boolean;
  stream: string | null;
}

const log = (line: string) => process.stdout.write(`[streams] ${line}\n`);

describe.each([
  ['one HTTP process per node', '1'],
  ['two read workers per node (streams through the worker proxy)', '2'],
])('Raft streams on a 3-node cluster, %s', (_topology, workers) => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    cluster = await ClusterHarness.start({
      name: `streams-w${workers}`,
      env: { HTTP_WORKERS: workers },
    });
  });

  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  const members = async (id: string): Promise<Map<string, Member>> => {
    const answer = await cluster.http(id, 'GET', '/api/v1/admin/cluster/members');
    const list: Member[] = answer.body?.data?.members ?? [];
    return new Map(list.map((member) => [member.id, member]));
  };

  /** Polls `id`'s view of `peer` until `wanted` holds. */
  const waitForView = async (
    id: string,
    peer: string,
    wanted: (member: Member) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<Member> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const member = (await members(id)).get(peer);
      if (member && wanted(member)) return member;
      if (Date.now() > deadline)
        throw new Error(`${id} never saw ${peer} ${what}: ${JSON.stringify(member)}`);
      await sleep(100);
    }
  };

  const scenario = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      try {
        await fn();
      } catch (error) {
        failed = true;
        (error as Error).message += `\n${cluster.dump(2000)}`;
        throw error;
      }
    });

  scenario('the leader and its followers talk over open streams', async () => {
    const leader = await cluster.waitForLeader({ all: true });
    const followers = cluster.nodes.map((n) => n.id).filter((id) => id !== leader);
    const ns = uniqueName('streams');
    expect((await cluster.createNamespace(leader, ns)).body?.code).toBe(0);
    for (let i = 0; i < 20; i++)
      expect((await cluster.createConfig(leader, ns, `k${i}`, i)).body?.code).toBe(0);
    await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
    for (const follower of followers) {
      await waitForView(leader, follower, (m) => m.reachable && m.stream === 'open', 'streaming');
      await waitForView(follower, leader, (m) => m.reachable && m.stream === 'open', 'streaming');
      expect((await cluster.getConfig(follower, ns, 'k19', 'serializable')).body?.data?.value).toBe(
        19,
      );
    }
    for (const node of cluster.nodes)
      expect(node.output()).not.toContain('peer takes no raft stream');
  });

  scenario('blocking one directed link cuts exactly that direction', async () => {
    const leader = await cluster.waitForLeader({ all: true });
    const [cut, other] = cluster.nodes.map((n) => n.id).filter((id) => id !== leader);
    const ns = uniqueName('cut');
    expect((await cluster.createNamespace(leader, ns)).body?.code).toBe(0);
    await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
    const appliedBefore = (await cluster.health(cut))!.applied_index;

    cluster.block(leader, cut);
    try {
      const seen = await waitForView(leader, cut, (m) => !m.reachable, 'unreachable');
      log(`${leader} -> ${cut} blocked: ${leader} sees ${JSON.stringify(seen)}`);
      expect(seen.stream).not.toBe('open');
      // The leader still commits with the other follower; none of it reaches the cut node.
      expect((await cluster.createConfig(leader, ns, 'while-cut', 1)).body?.code).toBe(0);
      await cluster.waitForApplied([leader, other]);
      await sleep(500);
      expect((await cluster.health(cut))!.applied_index).toBe(appliedBefore);
      // The other direction is untouched: the cut node still streams to the leader.
      const back = (await members(cut)).get(leader);
      log(`${cut} still sees ${leader}: ${JSON.stringify(back)}`);
      expect(back).toMatchObject({ reachable: true, stream: 'open' });
    } finally {
      cluster.heal(leader, cut);
    }

    const healed = await waitForView(
      leader,
      cut,
      (m) => m.reachable && m.stream === 'open',
      'streaming again',
    );
    log(`healed: ${leader} sees ${JSON.stringify(healed)}`);
    await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
    expect((await cluster.getConfig(cut, ns, 'while-cut', 'serializable')).body?.data?.value).toBe(
      1,
    );
  });

  scenario('a killed and restarted follower is streamed to again', async () => {
    const leader = await cluster.waitForLeader({ all: true });
    const [victim] = cluster.nodes.map((n) => n.id).filter((id) => id !== leader);
    await cluster.kill(victim);
    await waitForView(leader, victim, (m) => !m.reachable, 'unreachable');
    const ns = uniqueName('restart');
    expect((await cluster.createNamespace(leader, ns)).body?.code).toBe(0);
    await cluster.restart(victim);
    await waitForView(leader, victim, (m) => m.reachable && m.stream === 'open', 'streaming');
    await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
  });
});
