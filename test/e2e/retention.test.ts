import { fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp } from '../support/app';

/**
 * Spec 3.6 retention through PUT /admin/config/version/keep and POST /admin/config/versions/cleanup.
 * KEEP_LATEST=2 and KEEP_DAYS=0 (no age rule), so a cleanup really deletes every old version
 * that is not marked kept.
 */
describe('version retention', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startApp({
      VERSION_RETENTION_KEEP_LATEST: '2',
      VERSION_RETENTION_KEEP_DAYS: '0',
    });
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  const versionsOf = async (namespace: string, key: string): Promise<number[]> =>
    ok(await server.api.get('/api/v1/config/versions', { namespace, key })).list.map(
      (v: { version: number }) => v.version,
    );

  it('PUT /admin/config/version/keep marks a version kept', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 1));
    ok(await api.updateConfig(name, 'k', 2));
    const data = ok(
      await api.put('/api/v1/admin/config/version/keep', { namespace: name, key: 'k', version: 1 }),
    );
    expect(data).toMatchObject({ namespace: name, key: 'k', version: 1, kept: true });
    const list = ok(await api.get('/api/v1/config/versions', { namespace: name, key: 'k' })).list;
    expect(list.find((v: { version: number }) => v.version === 1).kept).toBe(true);
    expect(list.find((v: { version: number }) => v.version === 2).kept).toBe(false);
  });

  it('POST /admin/config/versions/cleanup deletes versions beyond the latest N, except kept ones', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 'v1'));
    for (const v of ['v2', 'v3', 'v4', 'v5']) ok(await api.updateConfig(name, 'k', v));
    ok(await api.createConfig(name, 'short', 's1'));
    ok(
      await api.put('/api/v1/admin/config/version/keep', { namespace: name, key: 'k', version: 1 }),
    );

    const result = ok(await api.post('/api/v1/admin/config/versions/cleanup'));
    expect(result.deleted_versions).toBeGreaterThanOrEqual(2);
    expect(result.keep_latest).toBe(2);

    expect(await versionsOf(name, 'k')).toEqual([5, 4, 1]);
    expect(await versionsOf(name, 'short')).toEqual([1]);
    fails(await api.getConfig(name, 'k', 2), 40403);
    fails(await api.getConfig(name, 'k', 3), 40403);
    expect(ok(await api.getConfig(name, 'k', 1)).value).toBe('v1');
    expect(ok(await api.getConfig(name, 'k')).value).toBe('v5');
    // History is an audit trail: retention prunes versions, never history rows.
    const history = ok(
      await api.get('/api/v1/admin/config/history', { namespace: name, key: 'k' }),
    );
    expect(history.pagination.total).toBe(5);
  });

  it('unmarking a kept version lets the next cleanup delete it', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 'v1'));
    for (const v of ['v2', 'v3']) ok(await api.updateConfig(name, 'k', v));
    ok(
      await api.put('/api/v1/admin/config/version/keep', { namespace: name, key: 'k', version: 1 }),
    );
    ok(await api.post('/api/v1/admin/config/versions/cleanup'));
    expect(await versionsOf(name, 'k')).toEqual([3, 2, 1]);
    const data = ok(
      await api.put('/api/v1/admin/config/version/keep', {
        namespace: name,
        key: 'k',
        version: 1,
        kept: false,
      }),
    );
    expect(data.kept).toBe(false);
    ok(await api.post('/api/v1/admin/config/versions/cleanup'));
    expect(await versionsOf(name, 'k')).toEqual([3, 2]);
  });

  it('a rollback target pruned by retention is 40403, a kept one still works', async () => {
    const { api } = server;
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 'v1'));
    for (const v of ['v2', 'v3', 'v4']) ok(await api.updateConfig(name, 'k', v));
    ok(
      await api.put('/api/v1/admin/config/version/keep', { namespace: name, key: 'k', version: 1 }),
    );
    ok(await api.post('/api/v1/admin/config/versions/cleanup'));
    fails(
      await api.post('/api/v1/admin/config/rollback', {
        namespace: name,
        key: 'k',
        target_version: 2,
      }),
      40403,
    );
    const rolled = ok(
      await api.post('/api/v1/admin/config/rollback', {
        namespace: name,
        key: 'k',
        target_version: 1,
      }),
    );
    expect(rolled).toMatchObject({ previous_version: 4, current_version: 5 });
    expect(ok(await api.getConfig(name, 'k'))).toMatchObject({ version: 5, value: 'v1' });
  });
});
