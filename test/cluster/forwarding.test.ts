import { ClusterHarness, log, must, sleep, waitFor } from '../support/cluster/harness';
import { uniqueName } from '../support/names';

/**
 * A write a follower forwarded to the leader, when no answer comes back: the leader may have
 * received it and may still commit it, so the client is told the outcome is unknown (50003),
 * never a failure it would take as "not applied" (what a linearizability checker, or a client
 * that does not retry, would conclude from 50301).
 *
 * Proposals time out after 300 ms (a forward after 1.3 s) and elections after 3-6 s, so a
 * leader paused for 2 s is still the leader when it resumes, and commits what it was sent.
 */
jest.setTimeout(120_000);

describe('writes forwarded by a follower', () => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    cluster = await ClusterHarness.start({
      name: 'forwarding',
      env: { PROPOSAL_TIMEOUT_MS: '300', RAFT_TICK_MS: '50', RAFT_ELECTION_TICKS: '60' },
    });
  });

  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  it('a forward the leader did not answer in time is "outcome unknown", and it may be applied', async () => {
    try {
      const leader = await cluster.waitForLeader({ all: true });
      const follower = cluster.nodes.map((n) => n.id).find((id) => id !== leader)!;
      const ns = uniqueName('fwd');
      must(await cluster.createNamespace(leader, ns), 'namespace');
      const term = (await cluster.health(leader))!.term;

      cluster.pause(leader);
      let answer;
      try {
        answer = await cluster.createConfig(follower, ns, 'paused', 'sent while paused');
        await sleep(500);
      } finally {
        cluster.resume(leader);
      }
      log(`forward to a paused leader: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
      expect(answer.body?.code).toBe(50003);
      expect(answer.body?.error?.details).toEqual({ outcome: 'unknown' });

      // The leader resumed in its term and committed the write it had received.
      await waitFor('the write sent while the leader was paused, applied', async () => {
        const read = await cluster.getConfig(leader, ns, 'paused', 'linearizable');
        return read.body?.code === 0 && read.body.data.value === 'sent while paused';
      });
      expect((await cluster.health(leader))!).toMatchObject({ role: 'leader', term });
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(2000)}`;
      throw error;
    }
  });

  it('a write under an Idempotency-Key whose forward lost its answer is sent again, applied once', async () => {
    try {
      const leader = await cluster.waitForLeader({ all: true });
      const follower = cluster.nodes.map((n) => n.id).find((id) => id !== leader)!;
      const ns = uniqueName('fwd-key');
      must(await cluster.createNamespace(leader, ns), 'namespace');
      const link = cluster.proxy(follower, leader);
      const lostBefore = link.answersLost;
      link.loseAnswers('POST /internal/raft/propose', 1);
      const answer = await cluster.http(
        follower,
        'POST',
        '/api/v1/admin/config',
        { namespace: ns, key: 'k', value: 'once' },
        10_000,
        { 'idempotency-key': `${ns}-1` },
      );
      expect(link.answersLost - lostBefore).toBe(1);
      expect(answer.body).toMatchObject({ code: 0, data: { version: 1 } });
      // Applied once: one version, one history row.
      const history = await cluster.http(
        leader,
        'GET',
        `/api/v1/admin/config/history?${new URLSearchParams({ namespace: ns, key: 'k' })}`,
      );
      expect(history.body?.data?.pagination?.total).toBe(1);

      // Without a key the follower cannot know, and says so.
      link.loseAnswers('POST /internal/raft/propose', 1);
      const unkeyed = await cluster.createConfig(follower, ns, 'unkeyed', 'maybe');
      expect(unkeyed.body?.code).toBe(50003);
      expect(unkeyed.body?.error?.details).toEqual({ outcome: 'unknown' });
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(2000)}`;
      throw error;
    }
  });
});
