import { ClusterHarness, Json, must } from '../support/cluster/harness';
import { uniqueName } from '../support/names';

jest.setTimeout(120_000);

/**
 * DESIGN 12 on a cluster: an Idempotency-Key's scope is the caller and the route template, the
 * same on every node, so a client that lost its connection and retries on another node (a
 * follower forwards to the leader) gets the one answer, even while the first is in flight.
 */
describe('idempotency keys on a 3-node cluster', () => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    cluster = await ClusterHarness.start({ name: 'idempotency' });
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

  const create = (id: string, body: Json, key: string) =>
    cluster.http(id, 'POST', '/api/v1/admin/config', body, 10_000, { 'Idempotency-Key': key });

  it(
    'a write sent to the leader and retried on a follower gets the same answer, applied once',
    guarded(async () => {
      const leader = await cluster.waitForLeader({ all: true });
      const [f1, f2] = cluster.nodes.map((n) => n.id).filter((id) => id !== leader);
      const ns = uniqueName('idem');
      must(await cluster.createNamespace(leader, ns), 'namespace');
      const key = uniqueName('key');
      const body = { namespace: ns, key: 'k', value: { n: 1 } };

      const first = await create(leader, body, key);
      expect(first.body?.code).toBe(0);
      const retried = await create(f1, body, key);
      expect(retried.status).toBe(200);
      expect(retried.body.data).toEqual(first.body.data);

      const other = await create(f2, { ...body, value: { n: 2 } }, key);
      expect(other.status).toBe(422);
      expect(other.body?.code).toBe(42201);

      await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
      for (const node of cluster.nodes) {
        const read = (await cluster.getConfig(node.id, ns, 'k', 'serializable')).body?.data;
        expect({ value: read?.value, version: read?.version }).toEqual({
          value: { n: 1 },
          version: 1,
        });
      }
    }),
  );

  it(
    'duplicates in flight on every node at once get one answer and one write',
    guarded(async () => {
      const leader = await cluster.waitForLeader({ all: true });
      const ns = uniqueName('idem');
      must(await cluster.createNamespace(leader, ns), 'namespace');
      const key = uniqueName('key');
      const body = { namespace: ns, key: 'k', value: 'once' };
      const answers = await Promise.all(
        [...cluster.nodes, ...cluster.nodes].map((node) => create(node.id, body, key)),
      );
      for (const answer of answers) {
        expect(answer.body?.code).toBe(0);
        expect(answer.body.data).toEqual(answers[0].body.data);
      }
      const history = await cluster.http(
        leader,
        'GET',
        `/api/v1/admin/config/history?namespace=${ns}&key=k`,
      );
      expect(history.body?.data?.pagination?.total).toBe(1);
    }),
  );
});
