import { randomUUID } from 'node:crypto';
import { ClusterHarness, Json, log, must, waitFor } from '../support/cluster/harness';
import { uniqueName } from '../support/names';

/**
 * The audit on a real 3-node cluster with read workers (issue 13, item 3): a request refused by
 * node 2's read worker is recorded on node 2 only (DESIGN 17) and listed by node 1, which merges
 * every member's local rows over the internal route; a member that does not answer is named.
 * Does not depend on the database engine: runs on SQLite only.
 */
jest.setTimeout(120_000);

const ADMIN_TOKEN = `audit-cluster-${randomUUID()}`;
const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('audit on a cluster (real processes)', () => {
  let cluster: ClusterHarness;
  beforeAll(async () => {
    cluster = await ClusterHarness.start({
      name: 'audit',
      env: { ADMIN_TOKEN, HTTP_WORKERS: '2' },
    });
  });
  afterAll(() => cluster?.destroy());

  const auditOn = async (id: string, query: Record<string, string>): Promise<Json> => {
    const answer = await cluster.http(
      id,
      'GET',
      `/api/v1/admin/audit?${new URLSearchParams(query).toString()}`,
      undefined,
      10_000,
      bearer,
    );
    return must(answer, `audit on ${id}`);
  };

  it('lists on node 1 a denial made by node 2 and a change received by node 3', async () => {
    const agent = `audit-cluster/${randomUUID()}`;
    const denied = await cluster.http(
      'node-2',
      'GET',
      '/api/v1/admin/namespace/list',
      undefined,
      5_000,
      {
        'user-agent': agent,
      },
    );
    expect({ status: denied.status, code: denied.body?.code }).toEqual({
      status: 401,
      code: 40101,
    });

    const namespace = uniqueName('audit');
    must(
      await cluster.http('node-3', 'POST', '/api/v1/admin/namespace', { name: namespace }, 10_000, {
        ...bearer,
        'user-agent': agent,
      }),
      'namespace through node 3',
    );
    await cluster.waitForApplied(['node-1', 'node-2', 'node-3']);

    let items: Json[] = [];
    await waitFor(
      'the denial and the change listed on node 1',
      async () => {
        const page = await auditOn('node-1', { page_size: '50' });
        expect(page.unreachable_nodes).toEqual([]);
        items = page.items.filter((item: Json) => item.user_agent === agent);
        return items.length === 2;
      },
      10_000,
    );
    log(`audit on node 1: ${JSON.stringify(items)}`);
    expect(items.find((item) => item.outcome === 'denied')).toMatchObject({
      node_id: 'node-2',
      code: 40101,
      endpoint: 'GET /api/v1/admin/namespace/list',
      client_ip: '127.0.0.1',
      revision: null,
    });
    expect(items.find((item) => item.outcome === 'success')).toMatchObject({
      node_id: 'node-3',
      action: 'namespace.create',
      namespace,
      client_id: 'admin',
      client_ip: '127.0.0.1',
    });
    // The denial stays on node 2: node 1's own rows do not hold it.
    const fromNode1 = await cluster.http(
      'node-1',
      'GET',
      `/internal/audit/local?limit=50&outcome=denied`,
      undefined,
      5_000,
      { 'x-cluster-secret': 'cluster-test-secret' },
    );
    expect(
      must(fromNode1, 'node 1 local rows').items.filter((item: Json) => item.user_agent === agent),
    ).toEqual([]);
    // The internal route needs the cluster secret like every other.
    const unauthenticated = await cluster.http('node-2', 'GET', '/internal/audit/local?limit=1');
    expect(unauthenticated.status).toBe(401);
  });

  it('lists a leadership transfer, recorded by the node that made it', async () => {
    const leader = await cluster.waitForLeader();
    const to = leader === 'node-1' ? 'node-2' : 'node-1';
    const agent = `audit-transfer/${randomUUID()}`;
    must(
      await cluster.http(leader, 'POST', '/api/v1/admin/cluster/transfer-leader', { to }, 15_000, {
        ...bearer,
        'user-agent': agent,
      }),
      'transfer',
    );
    const page = await auditOn('node-3', { action: 'cluster.transfer_leader' });
    expect(page.items.find((item: Json) => item.user_agent === agent)).toMatchObject({
      node_id: leader,
      outcome: 'success',
      code: 0,
      client_id: 'admin',
      endpoint: 'POST /api/v1/admin/cluster/transfer-leader',
    });
  });

  it('names a member that does not answer, within the bounded wait', async () => {
    await cluster.kill('node-3');
    const started = Date.now();
    const page = await auditOn('node-1', { outcome: 'denied' });
    log(`audit with node 3 down answered in ${Date.now() - started} ms`);
    expect(page.unreachable_nodes).toEqual(['node-3']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
