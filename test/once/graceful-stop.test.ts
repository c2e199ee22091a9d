import { ClusterHarness, sleep, waitFor } from '../support/cluster/harness';
import { uniqueName } from '../support/names';
import { startRetryingWriters } from '../support/cluster/retrying-writers';

/**
 * Issue 16, item 1: SIGTERM to the leader of a 3-node cluster under writes spread over all
 * nodes. The leader hands over before it stops, so writes keep being acknowledged: a client
 * that finds a node's port closed retries on another node with the same Idempotency-Key, and
 * no write is answered with an error code. The stopped node exits within 3 s.
 */
jest.setTimeout(120_000);

describe('graceful stop of a leader', () => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    cluster = await ClusterHarness.start({ name: 'graceful' });
  });
  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  it('hands leadership over, exits within 3 s, and no write fails', async () => {
    try {
      const leader = await cluster.waitForLeader({ all: true });
      const ns = uniqueName('stop');
      expect((await cluster.createNamespace(leader, ns)).body?.code).toBe(0);
      const ids = cluster.nodes.map((node) => node.id);
      const writers = startRetryingWriters(cluster, ns);
      await sleep(1500);
      const took = await cluster.terminate(leader);
      await sleep(2000);
      const { answers, unanswered } = await writers.stop();

      const output = cluster.node(leader).output();
      expect(took).toBeLessThan(3000);
      expect(output).toMatch(/handed leadership to node-\d/);
      const successor = await cluster.waitForLeader({ among: ids.filter((id) => id !== leader) });
      expect(successor).not.toBe(leader);
      const failures = answers.filter((answer) => answer.code !== 0);
      expect({ failures: failures.slice(0, 5), count: failures.length, unanswered }).toEqual({
        failures: [],
        count: 0,
        unanswered: [],
      });
      expect(answers.length).toBeGreaterThan(20);
      // Every acknowledged write is there, read on the new leader.
      await waitFor('acknowledged writes readable on the new leader', async () => {
        const values = await cluster.namespaceValues(successor, ns);
        return answers.every((answer) => values.has(answer.key));
      });
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(3000)}`;
      throw error;
    }
  });
});
