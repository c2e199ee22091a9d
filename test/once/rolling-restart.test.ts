import { ClusterHarness, log, sleep, waitFor } from '../support/cluster/harness';
import { uniqueName } from '../support/names';
import { startRetryingWriters } from '../support/cluster/retrying-writers';

/**
 * Issue 16, item 4: a rolling restart of a 3-node cluster under writes spread over all nodes,
 * as the README's runbook (and `ccctl cluster restart-plan`) says: followers first, the leader
 * last; each node stopped with SIGTERM, started again and ready (caught up, DESIGN 16) before
 * the next one stops. A client that finds a node's port closed retries the same write on
 * another node with the same Idempotency-Key. No write is answered with an error code, every
 * acknowledged write is there afterwards, and every node exits within 3 s of its SIGTERM.
 */
jest.setTimeout(120_000);

describe('rolling restart of a 3-node cluster', () => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    // The default proposal timeout, which also bounds how long a write waits to be visible on
    // the node that took it: a stopping node must not wait that out (it would be cut at 3 s).
    cluster = await ClusterHarness.start({ name: 'rolling', env: { PROPOSAL_TIMEOUT_MS: '5000' } });
  });
  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  it('restarts followers then the leader with no failed and no lost write', async () => {
    try {
      const first = await cluster.waitForLeader({ all: true });
      const ns = uniqueName('roll');
      expect((await cluster.createNamespace(first, ns)).body?.code).toBe(0);
      const ids = cluster.nodes.map((node) => node.id);
      const writers = startRetryingWriters(cluster, ns);
      await sleep(1000);

      // Followers first (by id), the leader last: asked again before each stop.
      const restarted = new Set<string>();
      const exitMs: Record<string, number> = {};
      while (restarted.size < ids.length) {
        const leader = await cluster.waitForLeader({ among: ids });
        const followers = ids.filter((id) => id !== leader && !restarted.has(id));
        const next = followers[0] ?? leader;
        expect(restarted.has(next)).toBe(false);
        exitMs[next] = await cluster.terminate(next);
        log(`${next}${next === leader ? ' (leader)' : ''} exited ${exitMs[next]} ms after SIGTERM`);
        await cluster.restart(next);
        const started = Date.now();
        await waitFor(
          `${next} ready`,
          async () =>
            (await cluster.http(next, 'GET', '/api/v1/health/ready', undefined, 1000)).status ===
            200,
          20_000,
        );
        log(`${next} ready ${Date.now() - started} ms after listening`);
        restarted.add(next);
        // Writes go on against the whole cluster before the next node stops.
        await sleep(500);
      }
      await sleep(1000);
      const { answers, unanswered } = await writers.stop();

      for (const id of ids) expect({ id, ms: exitMs[id] < 3000 }).toEqual({ id, ms: true });
      // Each stop finished its requests and exited by itself: none was cut at the deadline.
      for (const id of ids) {
        const output = cluster.node(id).output();
        expect({ id, stopped: /stopped in \d+ ms/.test(output) }).toEqual({ id, stopped: true });
        expect({ id, cut: /not stopped within/.test(output) }).toEqual({ id, cut: false });
      }
      const failures = answers.filter((answer) => answer.code !== 0);
      expect({
        failures: failures.slice(0, 5),
        count: failures.length,
        unanswered: unanswered.slice(0, 5),
      }).toEqual({ failures: [], count: 0, unanswered: [] });
      expect(answers.length).toBeGreaterThan(100);

      // Every acknowledged write, read linearizably on the final leader, with its value.
      const leader = await cluster.waitForLeader({ all: true });
      const read = await cluster.http(
        leader,
        'GET',
        `/api/v1/config/namespace/${encodeURIComponent(ns)}?consistency=linearizable`,
      );
      expect(read.body?.code).toBe(0);
      const configs = (read.body.data.configs ?? {}) as Record<string, unknown>;
      const lost = answers.filter((answer) => configs[answer.key] !== answer.value);
      expect({ lost: lost.slice(0, 5), count: lost.length }).toEqual({ lost: [], count: 0 });

      // Every node ends on the same applied index.
      let applied = new Set<number>();
      await waitFor('every node on the same applied index', async () => {
        const healths = await cluster.healths(ids);
        applied = new Set([...healths.values()].map((health) => health.applied_index));
        return healths.size === ids.length && applied.size === 1;
      });
      log(
        `${answers.length} writes acknowledged, exits ${JSON.stringify(exitMs)}, applied ${[...applied][0]}`,
      );
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(3000)}`;
      throw error;
    }
  });
});
