import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterHarness, must, sleep, waitFor } from '../support/cluster/harness';
import { uniqueName } from '../support/names';

/**
 * DESIGN 21 on a 3-node cluster started without ADMIN_TOKEN, read workers included: the first
 * leader generates the admin token into its own DATA_DIR, every node (and its workers)
 * authenticates from its replica, and a revoked token is refused on every node within a second.
 */
jest.setTimeout(120_000);

describe('tokens on a cluster', () => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    cluster = await ClusterHarness.start({
      name: 'tokens',
      env: { ADMIN_TOKEN: '', HTTP_WORKERS: '2' },
    });
  });
  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const ids = () => cluster.nodes.map((node) => node.id);

  it('generates one admin token on the leader; each role against each endpoint class on every node; a revoked token refused everywhere within a second', async () => {
    try {
      const leader = await cluster.waitForLeader({ all: true });
      const files = () => ids().filter((id) => existsSync(join(cluster.dir, id, 'admin-token')));
      await waitFor('the admin token file', () => Promise.resolve(files().length > 0));
      await sleep(1000);
      expect(files()).toEqual([leader]);
      const file = join(cluster.dir, leader, 'admin-token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const admin = bearer(readFileSync(file, 'utf8').trim());

      const call = (
        id: string,
        method: string,
        path: string,
        body: unknown,
        headers: Record<string, string>,
        timeoutMs = 5000,
      ) => cluster.http(id, method, path, body, timeoutMs, headers);
      const asAdmin = async (method: string, path: string, body: unknown, what: string) =>
        must(await call(leader, method, path, body, admin, 10_000), what);

      const ns = uniqueName('tok');
      const other = uniqueName('tok-other');
      await asAdmin('POST', '/api/v1/admin/namespace', { name: ns }, 'ns');
      await asAdmin('POST', '/api/v1/admin/namespace', { name: other }, 'other');
      await asAdmin(
        'POST',
        '/api/v1/admin/config',
        { namespace: ns, key: 'k', value: 1 },
        'config',
      );
      const issue = (client_id: string, role: string) =>
        asAdmin('POST', '/api/v1/admin/tokens', { client_id, role, namespaces: [ns] }, client_id);
      const issued = await issue('svc', 'reader');
      const reader = bearer(issued.token as string);
      const writer = bearer((await issue('svc-writer', 'writer')).token as string);

      // Each role against each endpoint class, on every node (its read workers answer reads).
      const classes: Array<{
        name: string;
        method: string;
        path: string;
        body?: unknown;
        expected: Record<'reader' | 'writer' | 'admin', number>;
      }> = [
        {
          name: 'read own namespace',
          method: 'GET',
          path: `/api/v1/config/get?namespace=${ns}&key=k`,
          expected: { reader: 0, writer: 0, admin: 0 },
        },
        {
          name: 'read another namespace',
          method: 'GET',
          path: `/api/v1/config/get?namespace=${other}&key=k`,
          expected: { reader: 40301, writer: 40301, admin: 40403 },
        },
        {
          name: 'batch-get own namespace',
          method: 'POST',
          path: '/api/v1/config/batch-get',
          body: { namespace: ns, keys: ['k'] },
          expected: { reader: 0, writer: 0, admin: 0 },
        },
        {
          name: 'write own namespace',
          method: 'PUT',
          path: '/api/v1/admin/config',
          body: { namespace: ns, key: 'k', value: 2 },
          expected: { reader: 40301, writer: 0, admin: 0 },
        },
        {
          name: 'write another namespace',
          method: 'POST',
          path: '/api/v1/admin/config',
          body: { namespace: other, key: 'w', value: 1 },
          expected: { reader: 40301, writer: 40301, admin: -1 },
        },
        {
          name: 'admin: list tokens',
          method: 'GET',
          path: '/api/v1/admin/tokens',
          expected: { reader: 40301, writer: 40301, admin: 0 },
        },
        {
          name: 'admin: settings',
          method: 'GET',
          path: '/api/v1/admin/settings',
          expected: { reader: 40301, writer: 40301, admin: 0 },
        },
      ];
      const roles = { reader, writer, admin };
      const readOwn = `/api/v1/config/get?namespace=${ns}&key=k`;
      for (const id of ids()) {
        await waitFor(`writer token accepted on ${id}`, async () => {
          const answer = await call(id, 'GET', readOwn, undefined, writer);
          return answer.body?.code === 0;
        });
        for (const endpoint of classes)
          for (const [role, headers] of Object.entries(roles) as Array<
            [keyof typeof roles, Record<string, string>]
          >) {
            const answer = await call(id, endpoint.method, endpoint.path, endpoint.body, headers);
            const expected = endpoint.expected[role];
            // -1: allowed, the outcome of the write itself does not matter here (first or repeat).
            if (expected === -1) expect([0, 40902]).toContain(answer.body?.code);
            else
              expect({ node: id, role, endpoint: endpoint.name, code: answer.body?.code }).toEqual({
                node: id,
                role,
                endpoint: endpoint.name,
                code: expected,
              });
          }
        // No token at all, and an admin-only cluster route, on every node.
        expect((await call(id, 'GET', readOwn, undefined, { authorization: '' })).body?.code).toBe(
          40101,
        );
        const members = await call(id, 'GET', '/api/v1/admin/cluster/members', undefined, admin);
        expect(members.body?.code).toBe(0);
      }

      const follower = ids().find((id) => id !== leader)!;
      const revokedAt = Date.now();
      must(
        await call(
          follower,
          'DELETE',
          `/api/v1/admin/tokens/${issued.id}`,
          undefined,
          admin,
          10_000,
        ),
        'revoke',
      );
      const refusedAfter = new Map<string, number>();
      await waitFor(
        'revoked token refused on every node',
        async () => {
          for (const id of ids()) {
            if (refusedAfter.has(id)) continue;
            const answer = await call(id, 'GET', readOwn, undefined, reader, 2000);
            if (answer.body?.code === 40101) refusedAfter.set(id, Date.now() - revokedAt);
          }
          return refusedAfter.size === ids().length;
        },
        5000,
      );
      for (const [, ms] of refusedAfter) expect(ms).toBeLessThan(1000);
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(2000)}`;
      throw error;
    }
  });
});
