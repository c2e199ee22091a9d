import { CcctlRun, ensureCcctlBuilt, runCcctl } from '../support/ccctl';
import { TEST_ADMIN_TOKEN } from '../support/auth';
import { ClusterHarness, must, waitFor } from '../support/cluster/harness';
import { uniqueName } from '../support/names';

/**
 * The built `ccctl` against a real 3-node cluster (plus one joiner): the commands that only a
 * cluster answers (`cluster members|add|transfer-leader|remove`) and `audit`, which merges the
 * trail of every node. Engine-independent: SQLite pass only.
 */
jest.setTimeout(120_000);

interface Members {
  leader: string | null;
  members: Array<{ id: string; leader: boolean; reachable: boolean }>;
}

describe('ccctl against a real cluster', () => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    ensureCcctlBuilt();
    cluster = await ClusterHarness.start({ name: 'ccctl-cluster', joiners: 1 });
  });
  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  const on = (id: string) => ({
    CCCTL_URL: cluster.node(id).baseUrl,
    CCCTL_TOKEN: TEST_ADMIN_TOKEN,
  });
  const json = async <T>(id: string, args: string[], stderr = ''): Promise<T> => {
    const run: CcctlRun = await runCcctl([...args, '--json'], on(id));
    expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr });
    return JSON.parse(run.stdout) as T;
  };

  it('members, add a joiner, transfer leadership to it, remove it; audit shows the changes from any node', async () => {
    try {
      const leader = await cluster.waitForLeader({ among: cluster.voterIds });
      const follower = cluster.voterIds.find((id) => id !== leader)!;
      const joiner = 'node-4';

      const before = await json<Members>(follower, ['cluster', 'members']);
      expect(before.leader).toBe(leader);
      expect(before.members.map((m) => m.id).sort()).toEqual(cluster.voterIds);
      const human = await runCcctl(['cluster', 'members'], on(follower));
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(new RegExp(`leader: ${leader}`));
      expect(human.stdout).toMatch(/ID\s+URL\s+LEADER\s+SELF\s+REACHABLE/);

      // Asked of a follower, which answers 50302 naming the leader: ccctl sends it there.
      await json(
        follower,
        ['cluster', 'add', joiner, cluster.proxy(leader, joiner).url],
        `note: sent to the leader ${leader}\n`,
      );
      await waitFor(
        `${joiner} a voter everywhere`,
        async () => {
          const healths = await cluster.healths(cluster.nodes.map((n) => n.id));
          return healths.size === 4 && [...healths.values()].every((h) => h.voters.length === 4);
        },
        30_000,
      );
      await cluster.waitForApplied(cluster.nodes.map((n) => n.id));

      await json(leader, ['cluster', 'transfer-leader', joiner]);
      const moved = await json<Members>(joiner, ['cluster', 'members']);
      expect(moved.leader).toBe(joiner);

      // The new leader removes a voter by the CLI too: back to three, the joiner out.
      await json(joiner, ['cluster', 'transfer-leader', leader]);
      await json(leader, ['cluster', 'remove', joiner]);
      const after = await json<Members>(leader, ['cluster', 'members']);
      expect(after.members.map((m) => m.id).sort()).toEqual(cluster.voterIds);

      // A change made on one node and a refusal on another, both found from a third.
      const ns = uniqueName('ccctl-audit');
      must(await cluster.createNamespace(leader, ns), 'namespace');
      must(await cluster.createConfig(leader, ns, 'k', 1), 'config');
      const denied = await cluster.http(
        follower,
        'GET',
        `/api/v1/config/get?namespace=${ns}&key=k`,
        undefined,
        5000,
        {
          authorization: 'Bearer not-a-token-0123456789',
        },
      );
      expect(denied.body?.code).toBe(40101);
      const third = cluster.voterIds.find((id) => id !== leader && id !== follower)!;
      const trail = await json<{
        items: Array<{ action: string; outcome: string; namespace: string | null }>;
        unreachable_nodes: string[];
      }>(third, ['audit', '--namespace', ns]);
      expect(trail.unreachable_nodes).toEqual([]);
      expect(trail.items.map((item) => item.action)).toEqual(
        expect.arrayContaining(['namespace.create', 'config.create']),
      );
      const denials = await json<{ items: Array<{ outcome: string }> }>(third, [
        'audit',
        '--outcome',
        'denied',
      ]);
      expect(denials.items.length).toBeGreaterThan(0);
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(2000)}`;
      throw error;
    }
  });
});
