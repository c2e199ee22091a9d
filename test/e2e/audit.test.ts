import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { AuditLocalStore } from '../../apps/config-center/src/audit/audit-local.store';
import { AuditRetentionJob } from '../../apps/config-center/src/audit/audit-retention.job';
import { FixedAuditRetention } from '../../apps/config-center/src/audit/audit-retention.source';
import { DEFAULT_LOCAL_AUDIT_LIMITS } from '../../apps/config-center/src/audit/local-audit-record';
import { Api, fails, Json, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';
import { parseSamples } from '../support/prometheus';

const ADMIN_TOKEN = `audit-admin-${randomUUID()}`;
const WRONG_TOKEN = `audit-wrong-${randomUUID()}`;
const DAY_MS = 24 * 3600 * 1000;

/** One admin request with a wrong token over a fresh connection; its status. */
function deniedStatus(port: number, agent: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/admin/namespace/list',
        agent: false,
        headers: { 'user-agent': agent, authorization: `Bearer ${WRONG_TOKEN}` },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
  });
}

/**
 * The audit trail through the real HTTP stack (issue 13, item 3): changes carry their origin
 * through the log; refusals are recorded on the node that made them, batched and capped.
 */
describe('audit', () => {
  let server: TestApp;
  let admin: Api;

  beforeAll(async () => {
    server = await startApp({ ADMIN_TOKEN });
    admin = server.api.with({ authorization: `Bearer ${ADMIN_TOKEN}` });
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  const audit = async (query: Record<string, string | number>): Promise<Json> =>
    ok(await admin.get('/api/v1/admin/audit', query));

  const metric = async (name: string): Promise<number> => {
    const text = (await server.api.get('/api/v1/metrics')).text;
    return parseSamples(text).find((sample) => sample.name === name)?.value ?? 0;
  };

  /** Every row of the audit tables, as text: to search it for secrets. */
  const auditTables = async (): Promise<string> => {
    const dataSource = server.app.get(DataSource);
    const rows = await Promise.all(
      ['audit_local', 'audit_event', 'config_history'].map((table) =>
        dataSource.query(`SELECT * FROM ${table}`),
      ),
    );
    return JSON.stringify(rows);
  };

  it('lists a config create, update and delete with client id, IP, user agent, request id, success and code 0', async () => {
    const { name } = await admin.createNamespace();
    const agent = `audit-e2e/${randomUUID()}`;
    const ids = ['create', 'update', 'delete'].map((step) => `${step}-${randomUUID()}`);
    const as = (requestId: string) => ({
      'user-agent': agent,
      'x-request-id': requestId,
      'x-operator': 'alice',
    });
    ok(
      await admin.post('/api/v1/admin/config', { namespace: name, key: 'k', value: 1 }, as(ids[0])),
    );
    ok(
      await admin.put('/api/v1/admin/config', { namespace: name, key: 'k', value: 2 }, as(ids[1])),
    );
    ok(await admin.delete('/api/v1/admin/config', { namespace: name, key: 'k' }, as(ids[2])));

    const page = await audit({ namespace: name });
    const changes = page.items.filter((item: Json) => item.user_agent === agent);
    expect(changes.map((item: Json) => [item.action, item.request_id])).toEqual([
      ['config.delete', ids[2]],
      ['config.update', ids[1]],
      ['config.create', ids[0]],
    ]);
    for (const item of changes) {
      expect(item).toMatchObject({
        client_id: 'admin',
        on_behalf_of: 'alice',
        namespace: name,
        key: 'k',
        outcome: 'success',
        code: 0,
        node_id: expect.any(String),
        revision: expect.any(Number),
      });
      expect(item.client_ip).toMatch(/127\.0\.0\.1|::1/);
      expect(Date.parse(item.time)).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(changes[0].endpoint).toBe('DELETE /api/v1/admin/config');
    // The namespace change has its own row (audit_event), with its origin too.
    const created = page.items.find((item: Json) => item.action === 'namespace.create');
    expect(created).toMatchObject({ namespace: name, client_id: 'admin', outcome: 'success' });
    expect(page).toMatchObject({ page: 1, page_size: 20, unreachable_nodes: [] });
    expect(page.total).toBeGreaterThanOrEqual(4);
  });

  it('lists a refused request as denied (40101 without a token, 40301 for a reader writing), with no token text anywhere', async () => {
    const agent = `audit-denied/${randomUUID()}`;
    const missing = `missing-${randomUUID()}`;
    const wrong = `wrong-${randomUUID()}`;
    const reader = ok(
      await admin.post('/api/v1/admin/tokens', {
        client_id: 'audit-reader',
        role: 'reader',
        namespaces: '*',
      }),
    ).token as string;
    fails(
      await server.api.anonymous().get(
        '/api/v1/admin/namespace/list',
        {},
        {
          'user-agent': agent,
          'x-request-id': missing,
        },
      ),
      40101,
    );
    fails(
      await server.api.post(
        '/api/v1/admin/config',
        { namespace: 'ns', key: 'k', value: 1 },
        { authorization: `Bearer ${reader}`, 'user-agent': agent, 'x-request-id': wrong },
      ),
      40301,
    );

    const answer = await admin.get('/api/v1/admin/audit', { outcome: 'denied' });
    const denied = ok(answer).items.filter((item: Json) => item.user_agent === agent);
    expect(denied).toHaveLength(2);
    expect(denied.find((item: Json) => item.request_id === missing)).toMatchObject({
      outcome: 'denied',
      code: 40101,
      client_id: null,
      endpoint: 'GET /api/v1/admin/namespace/list',
      revision: null,
    });
    expect(denied.find((item: Json) => item.request_id === wrong)).toMatchObject({
      outcome: 'denied',
      code: 40301,
      action: 'config.create',
      client_id: 'audit-reader',
    });
    expect(answer.text).not.toContain(reader);
    expect(answer.text).not.toContain(WRONG_TOKEN);
    expect(answer.text).not.toContain(ADMIN_TOKEN);
    const stored = await auditTables();
    expect(stored).toContain(wrong);
    expect(stored).not.toContain(WRONG_TOKEN);
    expect(stored).not.toContain(ADMIN_TOKEN);
    expect(stored).not.toContain(reader);
  });

  it('lists a change refused by apply as failed, with its code', async () => {
    const { name } = await admin.createNamespace();
    ok(await admin.createConfig(name, 'twice', 1));
    const requestId = `again-${randomUUID()}`;
    fails(await admin.createConfig(name, 'twice', 2, {}), 40902);
    fails(
      await admin.post(
        '/api/v1/admin/config',
        { namespace: name, key: 'twice', value: 3 },
        { 'x-request-id': requestId },
      ),
      40902,
    );
    const failed = (await audit({ namespace: name, outcome: 'failed' })).items;
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({
      request_id: requestId,
      code: 40902,
      key: 'twice',
      client_id: 'admin',
      action: 'config.create',
    });
  });

  it('filters by action, client, outcome and time, and pages newest first', async () => {
    const { name } = await admin.createNamespace();
    // Times are kept to the millisecond: `before` must fall strictly between the two.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    await pause();
    const before = new Date().toISOString();
    await pause();
    ok(await admin.createConfig(name, 'k0', 0));
    ok(await admin.createConfig(name, 'k1', 0));
    for (let value = 1; value <= 3; value++)
      ok(await admin.put('/api/v1/admin/config', { namespace: name, key: `k${value % 2}`, value }));

    const updates = await audit({ namespace: name, action: 'config.update' });
    expect(updates.total).toBe(3);
    expect(updates.items.every((item: Json) => item.action === 'config.update')).toBe(true);
    const byEndpoint = await audit({ namespace: name, action: 'POST /api/v1/admin/config' });
    expect(byEndpoint.items.map((item: Json) => item.key)).toEqual(['k1', 'k0']);
    // Five config changes and the namespace's creation.
    expect((await audit({ namespace: name, client_id: 'admin' })).total).toBe(6);
    expect((await audit({ namespace: name, client_id: 'nobody' })).total).toBe(0);
    expect((await audit({ namespace: name, outcome: 'denied' })).total).toBe(0);
    const early = await audit({ namespace: name, to: before });
    expect(early.items.map((item: Json) => item.action)).toEqual(['namespace.create']);
    expect((await audit({ namespace: name, from: before })).total).toBe(5);

    const pages = await Promise.all(
      [1, 2, 3].map((page) => audit({ namespace: name, page, page_size: 2 })),
    );
    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 2]);
    const revisions = pages.flatMap((page) => page.items.map((item: Json) => item.revision));
    expect(revisions).toEqual([...revisions].sort((a, b) => b - a));
    expect(new Set(revisions).size).toBe(6);

    fails(await admin.get('/api/v1/admin/audit', { page: 100, page_size: 500 }), 40002);
    fails(await admin.get('/api/v1/admin/audit', { outcome: 'maybe' }), 40002);
    fails(await admin.get('/api/v1/admin/audit', { from: 'yesterday' }), 40002);
    fails(await admin.get('/api/v1/admin/audit', { action: "x' OR 1=1" }), 40002);
  });

  it('keeps a flood of 2,000 denied requests to a few batched writes and counts what it dropped', async () => {
    // Over real connections: a refusal closes its connection (edge-guards.ts refuseBeforeBody).
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.app.getHttpServer().address() as AddressInfo;
    const agent = `audit-flood/${randomUUID()}`;
    const flushesBefore = await metric('config_center_audit_local_flushes_total');
    const droppedBefore = await metric('config_center_audit_denials_dropped_total');
    const started = Date.now();
    for (let sent = 0; sent < 2000; sent += 100) {
      const statuses = await Promise.all(
        Array.from({ length: 100 }, () => deniedStatus(port, agent)),
      );
      expect(statuses.every((status) => status === 401)).toBe(true);
    }
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    const listed = await audit({ outcome: 'denied', page_size: 1 });
    expect(listed.items[0].user_agent).toBe(agent);

    const stored = Number(
      (
        await server.app
          .get(DataSource)
          .query('SELECT COUNT(*) AS n FROM audit_local WHERE user_agent = ?', [agent])
      )[0].n,
    );
    const dropped = (await metric('config_center_audit_denials_dropped_total')) - droppedBefore;
    const flushes = (await metric('config_center_audit_local_flushes_total')) - flushesBefore;
    expect(stored + dropped).toBe(2000);
    // At most perSecond rows a second are kept: the rest of the flood is only counted.
    expect(stored).toBeLessThanOrEqual(DEFAULT_LOCAL_AUDIT_LIMITS.perSecond * seconds);
    expect(stored).toBeGreaterThan(0);
    // Batches, not a write per request: one per flushRows kept, plus one a second at most.
    expect(flushes).toBeLessThanOrEqual(
      Math.ceil(stored / DEFAULT_LOCAL_AUDIT_LIMITS.flushRows) + seconds + 1,
    );
    expect(flushes).toBeLessThan(20);
  }, 30_000);

  it('retention deletes local rows past their age and beyond the newest max_denials_kept, never config history', async () => {
    const { name } = await admin.createNamespace();
    ok(await admin.createConfig(name, 'kept', 1));
    const agent = `audit-retention/${randomUUID()}`;
    // A second of its own: the flood above may have spent this second's cap (rows past it are dropped).
    await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));
    for (let i = 0; i < 3; i++)
      fails(
        await server.api
          .anonymous()
          .get('/api/v1/admin/namespace/list', {}, { 'user-agent': agent }),
        40101,
      );
    const countOf = async (): Promise<number> =>
      (await audit({ outcome: 'denied', page_size: 500 })).items.filter(
        (item: Json) => item.user_agent === agent,
      ).length;
    expect(await countOf()).toBe(3);

    const store = server.app.get(AuditLocalStore);
    const dataSource = server.app.get(DataSource);
    const capped = new AuditRetentionJob(
      store,
      dataSource,
      new FixedAuditRetention({ retention_days: 90, max_denials_kept: 2 }),
    );
    await capped.runOnce();
    expect(await store.count()).toBe(2);
    expect(await countOf()).toBe(2);

    // A hundred days later, every local row and namespace event is past a 90-day retention.
    const later = new AuditRetentionJob(store, dataSource, new FixedAuditRetention());
    const deleted = await later.runOnce(Date.now() + 100 * DAY_MS);
    expect(deleted.local).toBe(2);
    expect(deleted.events).toBeGreaterThan(0);
    expect(await countOf()).toBe(0);
    const left = await audit({ namespace: name });
    expect(left.items.map((item: Json) => item.action)).toEqual(['config.create']);
  });

  it('documents the endpoint and its filters in Swagger, and not the internal route', async () => {
    const doc = (await server.api.get('/docs-json')).body;
    const operation = doc.paths['/api/v1/admin/audit']?.get;
    expect(operation?.tags).toEqual(['admin: audit']);
    expect(operation.parameters.map((parameter: Json) => parameter.name).sort()).toEqual(
      ['action', 'client_id', 'from', 'namespace', 'outcome', 'page', 'page_size', 'to'].sort(),
    );
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/internal'))).toEqual([]);
  });

  it('answers 40101 on the audit endpoint itself without a token', async () => {
    fails(
      await server.api.anonymous().get('/api/v1/admin/audit', { namespace: uniqueName() }),
      40101,
    );
  });
});
