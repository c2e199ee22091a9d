import { Api, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';

type Role = 'admin' | 'writer' | 'reader';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** DESIGN 21: tokens, roles nesting admin ⊇ writer ⊇ reader, namespaces, 40101 / 40301. */
describe('tokens and roles', () => {
  let server: TestApp;
  let admin: Api;
  let own: string;
  let other: string;

  beforeAll(async () => {
    server = await startApp();
    admin = server.api;
    own = (await admin.createNamespace(uniqueName('own'))).name;
    other = (await admin.createNamespace(uniqueName('other'))).name;
    ok(await admin.createConfig(own, 'k', 1));
    ok(await admin.createConfig(other, 'k', 1));
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  async function issue(role: Role, namespaces: string[] | '*' = [own], extra: object = {}) {
    const data = ok(
      await admin.post('/api/v1/admin/tokens', {
        client_id: uniqueName(role),
        role,
        namespaces,
        ...extra,
      }),
    );
    expect(data.token).toMatch(/^cct_[A-Za-z0-9_-]{43}$/);
    return { id: data.id as number, secret: data.token as string, data };
  }
  const as = (secret: string) => server.api.anonymous().with({ authorization: `Bearer ${secret}` });

  /** One request per endpoint class; `expected` by role: 0 allowed, else the refusal code. */
  const endpoints: Array<{
    name: string;
    call: (api: Api) => Promise<{ status: number; body: { code: number } }>;
    expected: Record<Role, number>;
  }> = [
    {
      name: 'read a config of its namespace',
      call: (api) => api.getConfig(own, 'k'),
      expected: { reader: 0, writer: 0, admin: 0 },
    },
    {
      name: 'read a namespace of its namespace',
      call: (api) => api.namespaceConfigs(own),
      expected: { reader: 0, writer: 0, admin: 0 },
    },
    {
      name: 'batch-get in its namespace',
      call: (api) => api.post('/api/v1/config/batch-get', { namespace: own, keys: ['k'] }),
      expected: { reader: 0, writer: 0, admin: 0 },
    },
    {
      name: 'read a config of another namespace',
      call: (api) => api.getConfig(other, 'k'),
      expected: { reader: 40301, writer: 40301, admin: 0 },
    },
    {
      name: 'batch-get in another namespace',
      call: (api) => api.post('/api/v1/config/batch-get', { namespace: other, keys: ['k'] }),
      expected: { reader: 40301, writer: 40301, admin: 0 },
    },
    {
      name: 'update a config of its namespace',
      call: (api) => api.updateConfig(own, 'k', Math.random()),
      expected: { reader: 40301, writer: 0, admin: 0 },
    },
    {
      name: 'batch-write naming another namespace',
      call: (api) =>
        api.post('/api/v1/admin/config/batch', {
          operations: [
            { op: 'upsert', namespace: own, key: 'b', value: 1 },
            { op: 'upsert', namespace: other, key: 'b', value: 1 },
          ],
        }),
      expected: { reader: 40301, writer: 40301, admin: 0 },
    },
    {
      name: 'delete a config of another namespace',
      call: (api) => api.deleteConfig(other, 'absent'),
      expected: { reader: 40301, writer: 40301, admin: 40403 },
    },
    {
      name: 'create a namespace',
      call: (api) => api.post('/api/v1/admin/namespace', { name: uniqueName('made') }),
      expected: { reader: 40301, writer: 40301, admin: 0 },
    },
    {
      name: 'list tokens',
      call: (api) => api.get('/api/v1/admin/tokens'),
      expected: { reader: 40301, writer: 40301, admin: 0 },
    },
    {
      name: 'cluster members',
      call: (api) => api.get('/api/v1/admin/cluster/members'),
      expected: { reader: 40301, writer: 40301, admin: 50301 },
    },
    {
      name: 'read _system',
      call: (api) => api.getConfig('_system', 'audit'),
      expected: { reader: 40301, writer: 40301, admin: 0 },
    },
  ];

  describe.each<Role>(['reader', 'writer', 'admin'])('a %s token', (role) => {
    let caller: Api;
    beforeAll(async () => {
      caller = as((await issue(role, role === 'admin' ? '*' : [own])).secret);
    });

    it.each(endpoints.map((endpoint) => [endpoint.name, endpoint] as const))(
      '%s',
      async (_name, endpoint) => {
        const reply = await endpoint.call(caller);
        const expected = endpoint.expected[role];
        if (expected === 0) ok(reply as never);
        else fails(reply as never, expected);
      },
    );
  });

  it('a writer for "*" writes every namespace but _system', async () => {
    const writer = as((await issue('writer', '*')).secret);
    ok(await writer.updateConfig(other, 'k', 2));
    fails(await writer.getConfig('_system', 'audit'), 40301);
    fails(await writer.updateConfig('_system', 'audit', {}), 40301);
  });

  it('40101 in the envelope without a token, with an unknown one, or a malformed header', async () => {
    const anonymous = server.api.anonymous();
    const missing = fails(await anonymous.getConfig(own, 'k'), 40101);
    expect(missing.message).toMatch(/token is required/);
    fails(await as('cct_unknown-token-000000000000000000000000000000').getConfig(own, 'k'), 40101);
    fails(await anonymous.with({ authorization: 'Basic abc' }).getConfig(own, 'k'), 40101);
    fails(await anonymous.with({ authorization: 'Bearer' }).getConfig(own, 'k'), 40101);
    // Public: health, liveness, readiness, metrics.
    for (const path of [
      '/api/v1/health',
      '/api/v1/health/live',
      '/api/v1/health/ready',
      '/api/v1/metrics',
    ])
      expect((await anonymous.get(path)).status).toBe(200);
  });

  it('a 40301 names the role or the namespace refused', async () => {
    const reader = as((await issue('reader')).secret);
    const role = fails(await reader.updateConfig(own, 'k', 3), 40301);
    expect(role.error.details).toMatchObject({ role: 'reader', required: 'writer' });
    const namespace = fails(await reader.getConfig(other, 'k'), 40301);
    expect(namespace.error.details).toMatchObject({ namespace: other });
  });

  it('records the client id as the operator; X-Operator does not replace it', async () => {
    const { secret, data } = await issue('writer');
    const writer = as(secret).with({ 'X-Operator': 'mallory' });
    ok(await writer.updateConfig(own, 'k', 'by-writer'));
    const history = ok(
      await admin.get('/api/v1/admin/config/history', { namespace: own, key: 'k' }),
    );
    expect(history.list[0].operator).toBe(data.client_id);
  });

  it('lists only the namespaces of the token', async () => {
    const reader = as((await issue('reader')).secret);
    const names = ok(await reader.get('/api/v1/admin/namespace/list', { page_size: 500 })).list.map(
      (namespace: { name: string }) => namespace.name,
    );
    expect(names).toEqual([own]);
    const all = ok(await admin.get('/api/v1/admin/namespace/list', { page_size: 500 })).list;
    expect(all.length).toBeGreaterThan(1);
  });

  it('revoke: the token is refused from the next request; the list shows it revoked, never a secret', async () => {
    const { id, secret } = await issue('reader');
    ok(await as(secret).getConfig(own, 'k'));
    const revoked = ok(await admin.delete(`/api/v1/admin/tokens/${id}`));
    expect(revoked).toMatchObject({ id, status: 'revoked' });
    fails(await as(secret).getConfig(own, 'k'), 40101);
    const list = await admin.get('/api/v1/admin/tokens', { page_size: 500 });
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toMatch(/secret_hash|secretHash|cct_/);
    expect(ok(list).list.find((token: { id: number }) => token.id === id)).toMatchObject({
      status: 'revoked',
    });
    fails(await admin.delete('/api/v1/admin/tokens/999999999'), 40401);
  });

  it('rotate: a new secret; the old one valid for the grace period, or not at all with 0', async () => {
    const { id, secret } = await issue('reader');
    const rotated = ok(
      await admin.post(`/api/v1/admin/tokens/${id}/rotate`, { grace_seconds: 60 }),
    );
    expect(rotated.token).not.toBe(secret);
    ok(await as(secret).getConfig(own, 'k'));
    ok(await as(rotated.token as string).getConfig(own, 'k'));
    const again = ok(await admin.post(`/api/v1/admin/tokens/${id}/rotate`, { grace_seconds: 0 }));
    fails(await as(rotated.token as string).getConfig(own, 'k'), 40101);
    fails(await as(secret).getConfig(own, 'k'), 40101);
    ok(await as(again.token as string).getConfig(own, 'k'));
  });

  it('an expired token is refused', async () => {
    const { secret } = await issue('reader', [own], {
      expires_at: new Date(Date.now() + 1500).toISOString(),
    });
    ok(await as(secret).getConfig(own, 'k'));
    await sleep(1700);
    fails(await as(secret).getConfig(own, 'k'), 40101);
  });

  it('refuses bad token requests with 40001/40002, never a 500', async () => {
    for (const body of [
      { client_id: 'x', role: 'owner', namespaces: '*' },
      { client_id: '', role: 'reader', namespaces: '*' },
      { client_id: 'has space', role: 'reader', namespaces: '*' },
      { client_id: 'x', role: 'reader', namespaces: 'all' },
      { client_id: 'x', role: 'reader', namespaces: ['bad name!'] },
      { client_id: 'x', role: 'reader', namespaces: [own], expires_at: 'tomorrow' },
      { client_id: 'x', role: 'reader', namespaces: [own], expires_at: '2001-01-01T00:00:00Z' },
    ]) {
      const reply = await admin.post('/api/v1/admin/tokens', body);
      expect([40001, 40002]).toContain(reply.body.code);
    }
  });

  it('a retried create with the same Idempotency-Key answers the same token, without a secret it does not hold', async () => {
    const key = uniqueName('idem');
    const body = { client_id: uniqueName('retry'), role: 'reader', namespaces: [own] };
    const first = ok(await admin.post('/api/v1/admin/tokens', body, { 'Idempotency-Key': key }));
    const again = ok(await admin.post('/api/v1/admin/tokens', body, { 'Idempotency-Key': key }));
    expect(again.id).toBe(first.id);
    expect(again.token).toBeNull();
    ok(await as(first.token as string).getConfig(own, 'k'));
  });
});
