import { ClusterHarness, Json, log, must, sleep, waitFor } from '../support/cluster/harness';
import { uniqueName } from '../support/names';

jest.setTimeout(120_000);

/**
 * DESIGN 16 on real processes: a member turns ready once after start, when it has applied the
 * index the leader had committed (a ReadIndex round trip), and an election never takes readiness
 * back. `/api/v1/health` answers `ready` and the raft component's `applied_index` together.
 */
describe('readiness of cluster members', () => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    cluster = await ClusterHarness.start({
      name: 'readiness',
      // A restarted follower catches up from the log, not from a snapshot.
      env: { RAFT_SNAPSHOT_ENTRIES: '1000000' },
    });
  });
  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  const guarded = (run: () => Promise<void>) => async () => {
    try {
      await run();
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(2000)}`;
      throw error;
    }
  };

  /** One health report: readiness and the applied index, read in the same request. */
  const report = async (id: string): Promise<{ ready: boolean; applied: number } | undefined> => {
    const answer = await cluster.http(id, 'GET', '/api/v1/health', undefined, 1000);
    const data = answer.body?.data as Json;
    if (!data) return undefined;
    return { ready: data.ready === true, applied: data.components?.raft?.applied_index as number };
  };
  const isReady = async (id: string) =>
    (await cluster.http(id, 'GET', '/api/v1/health/ready', undefined, 1000)).status === 200;

  it(
    'turns every member ready once it has caught up after start',
    guarded(async () => {
      for (const id of cluster.voterIds) await waitFor(`${id} ready`, () => isReady(id));
    }),
  );

  it(
    'keeps every surviving member ready through a leader election',
    guarded(async () => {
      const leader = await cluster.waitForLeader({ all: true });
      const survivors = cluster.voterIds.filter((id) => id !== leader);
      for (const id of survivors) await waitFor(`${id} ready`, () => isReady(id));

      const seen: Array<{ id: string; status: number }> = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          for (const id of survivors) {
            const answer = await cluster.http(id, 'GET', '/api/v1/health/ready', undefined, 2000);
            seen.push({ id, status: answer.status });
          }
          await sleep(20);
        }
      })();
      await cluster.kill(leader);
      const next = await cluster.waitForLeader({ among: survivors });
      const ns = uniqueName('ready');
      must(await cluster.createNamespace(next, ns), 'a write after the election');
      polling = false;
      await poller;
      log(`${seen.length} readiness probes on ${survivors.join(',')} through the election`);
      expect(seen.length).toBeGreaterThan(10);
      expect(seen.filter((probe) => probe.status !== 200)).toEqual([]);

      await cluster.restart(leader);
      await waitFor(`${leader} ready again`, () => isReady(leader));
    }),
  );

  it(
    'keeps a restarted follower that is behind not ready until it has applied the leader’s commit index',
    guarded(async () => {
      const leader = await cluster.waitForLeader({ all: true });
      const follower = cluster.voterIds.find((id) => id !== leader)!;
      await cluster.kill(follower);
      const ns = uniqueName('behind');
      must(await cluster.createNamespace(leader, ns), 'namespace');
      for (let i = 0; i < 40; i++)
        must(await cluster.createConfig(leader, ns, `k${i}`, { i }), `write ${i}`);
      const commit = (await cluster.health(leader))!.commit_index;

      // Started cut off from the others: alive and serving, but it cannot know it is behind.
      cluster.isolate(follower);
      await cluster.restart(follower);
      const deadline = Date.now() + 2000;
      let probes = 0;
      while (Date.now() < deadline) {
        const seen = await report(follower);
        expect(seen?.ready).toBe(false);
        expect(seen!.applied).toBeLessThan(commit);
        expect(await isReady(follower)).toBe(false);
        probes++;
        await sleep(100);
      }
      expect(probes).toBeGreaterThan(5);

      cluster.healAll();
      let first: { ready: boolean; applied: number } | undefined;
      await waitFor(
        `${follower} ready after the heal`,
        async () => {
          const seen = await report(follower);
          if (seen?.ready) first = seen;
          return seen?.ready === true;
        },
        20_000,
      );
      log(`${follower} ready at applied_index ${first!.applied} (leader's commit ${commit})`);
      expect(first!.applied).toBeGreaterThanOrEqual(commit);
      expect((await cluster.namespaceValues(follower, ns)).size).toBe(40);
    }),
  );
});
