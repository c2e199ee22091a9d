import { ClusterHarness, log, must, waitFor } from '../support/cluster/harness';
import { pool } from '../support/cluster/workload';
import { uniqueName } from '../support/names';

/**
 * Growing a cluster with a brand-new member (single-server membership change, thesis 4.1):
 * node-4 starts with RAFT_JOIN=true and an empty database, in no voter's RAFT_PEERS, and waits.
 * Once an admin adds it, it catches up (by snapshot: the leader compacted its log long before),
 * serves reads and forwards writes, and counts in the quorum: with the old leader killed, the
 * remaining three of four elect a leader and commit.
 */
jest.setTimeout(180_000);

const SNAPSHOT_ENTRIES = 30;
describe('adding a brand-new member to a 3-node cluster of real processes', () => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    cluster = await ClusterHarness.start({
      name: 'membership',
      joiners: 1,
      // info: the joiner's log says how it caught up.
      env: { RAFT_SNAPSHOT_ENTRIES: String(SNAPSHOT_ENTRIES), LOG_LEVEL: 'info' },
    });
  });

  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  it('node-4 joins with RAFT_JOIN=true, catches up by snapshot, serves, and counts in the quorum', async () => {
    try {
      const voters = cluster.voterIds;
      const everyone = cluster.nodes.map((n) => n.id);
      const joiner = 'node-4';
      const leader = await cluster.waitForLeader({ among: voters });

      // Waiting to be added: it knows no voters and leads nothing.
      const waiting = (await cluster.health(joiner))!;
      expect(waiting.voters).toEqual([]);
      expect(waiting.role).not.toBe('leader');

      const ns = uniqueName('grow');
      must(await cluster.createNamespace(leader, ns), 'namespace');
      const before = Array.from({ length: 3 * SNAPSHOT_ENTRIES }, (_, i) => `before.${i}`);
      await pool(before, 8, async (key, i) =>
        must(await cluster.createConfig(leader, ns, key, { i }), `create ${key}`),
      );

      const added = await cluster.http(leader, 'POST', '/api/v1/admin/cluster/members', {
        id: joiner,
        url: cluster.proxy(leader, joiner).url,
      });
      log(`add ${joiner}: ${JSON.stringify(added.body?.data ?? added.body)}`);
      expect(added.body?.code).toBe(0);
      await waitFor(
        `${joiner} a voter everywhere`,
        async () => {
          const hs = await cluster.healths(everyone);
          return hs.size === 4 && [...hs.values()].every((h) => h.voters.length === 4);
        },
        30_000,
      );
      await cluster.waitForApplied(everyone);
      expect(cluster.node(joiner).output()).toMatch(/installed snapshot from the leader/);

      const members = must(
        await cluster.http(leader, 'GET', '/api/v1/admin/cluster/members'),
        'members',
      ) as { members: Array<{ id: string }> };
      expect(members.members.map((m) => m.id).sort()).toEqual(everyone);

      // Reads from its own state, and a write sent to it is forwarded to the leader.
      for (const key of [before[0], before[before.length - 1]]) {
        const answer = await cluster.getConfig(joiner, ns, key);
        expect(answer.body?.data?.value).toEqual({ i: before.indexOf(key) });
      }
      must(await cluster.createConfig(joiner, ns, 'via-joiner', 'forwarded'), 'write via joiner');

      // Quorum is now 3 of 4: with the old leader dead, the election and every commit need
      // all three survivors, node-4 included.
      await cluster.kill(leader);
      const survivors = everyone.filter((id) => id !== leader);
      const next = await cluster.waitForLeader({ among: survivors });
      log(`killed ${leader}; new leader ${next}`);
      must(await cluster.createConfig(next, ns, 'needs-joiner', 2), 'write after the kill');
      await cluster.waitForApplied(survivors);
      expect((await cluster.getConfig(joiner, ns, 'needs-joiner')).body?.data?.value).toBe(2);

      // And without node-4 as well, two of four cannot commit.
      cluster.isolate(joiner);
      const stuck = await cluster.createConfig(next, ns, 'no-quorum', 3);
      expect(stuck.body?.code).not.toBe(0);
      cluster.healAll();
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(3000)}`;
      throw error;
    }
  });
});
