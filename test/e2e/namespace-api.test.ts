import { Api, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';

/** Spec 3.8.6 namespace management, export/import, and the disabled state. */
describe('namespace API', () => {
  let server: TestApp;
  let api: Api;

  beforeAll(async () => {
    server = await startApp();
    api = server.api;
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  const list = async (query: Record<string, string | number>) =>
    ok(await api.get('/api/v1/admin/namespace/list', { page_size: 500, ...query }));

  describe('CRUD', () => {
    it('POST /admin/namespace creates an enabled namespace and answers id, name, description, status, created_at', async () => {
      const name = uniqueName('order-service');
      const data = ok(await api.post('/api/v1/admin/namespace', { name, description: 'orders' }));
      expect(data).toMatchObject({ name, description: 'orders', status: 1 });
      expect(typeof data.id).toBe('number');
      expect(new Date(data.created_at).toISOString()).toBe(data.created_at);
    });

    it('PUT /admin/namespace/:id changes the description and keeps the status', async () => {
      const { id, name } = await api.createNamespace(undefined, 'before');
      const data = ok(await api.put(`/api/v1/admin/namespace/${id}`, { description: 'after' }));
      expect(data).toMatchObject({ id, name, description: 'after', status: 1 });
      const found = (await list({ name })).list;
      expect(found).toEqual([expect.objectContaining({ id, description: 'after' })]);
    });

    it('DELETE /admin/namespace/:id removes an empty namespace', async () => {
      const { id, name } = await api.createNamespace();
      const data = ok(await api.delete(`/api/v1/admin/namespace/${id}`));
      expect(data).toMatchObject({ id, name });
      expect((await list({ name })).list).toEqual([]);
      fails(await api.namespaceConfigs(name), 40402);
    });

    it('DELETE /admin/namespace/:id works once its configs are all deleted', async () => {
      const { id, name } = await api.createNamespace();
      ok(await api.createConfig(name, 'k', 1));
      fails(await api.delete(`/api/v1/admin/namespace/${id}`), 40901);
      ok(await api.deleteConfig(name, 'k'));
      ok(await api.delete(`/api/v1/admin/namespace/${id}`));
    });

    it('a deleted namespace name can be created again, empty', async () => {
      const { id, name } = await api.createNamespace();
      ok(await api.createConfig(name, 'k', 1));
      ok(await api.deleteConfig(name, 'k'));
      ok(await api.delete(`/api/v1/admin/namespace/${id}`));
      const again = await api.createNamespace(name);
      expect(again.id).not.toBe(id);
      expect(ok(await api.namespaceConfigs(name)).configs).toEqual({});
    });
  });

  describe('list', () => {
    const tag = uniqueName('lst');
    let disabledId: number;
    beforeAll(async () => {
      await api.createNamespace(`${tag}-alpha`);
      await api.createNamespace(`${tag}-beta`);
      disabledId = (await api.createNamespace(`${tag}-gamma`)).id;
      ok(await api.put(`/api/v1/admin/namespace/${disabledId}`, { status: 0 }));
    });

    it('GET /admin/namespace/list filters by a name substring, case-insensitively', async () => {
      const data = await list({ name: tag.toUpperCase() });
      expect(data.list.map((n: { name: string }) => n.name).sort()).toEqual([
        `${tag}-alpha`,
        `${tag}-beta`,
        `${tag}-gamma`,
      ]);
      expect(data.pagination).toMatchObject({ total: 3 });
      expect(data.list[0]).toEqual(
        expect.objectContaining({
          id: expect.any(Number),
          status: expect.any(Number),
          created_at: expect.any(String),
        }),
      );
    });

    it('GET /admin/namespace/list filters by status', async () => {
      const disabled = await list({ name: tag, status: 0 });
      expect(disabled.list.map((n: { id: number }) => n.id)).toEqual([disabledId]);
      const enabled = await list({ name: tag, status: 1 });
      expect(enabled.list.map((n: { name: string }) => n.name).sort()).toEqual([
        `${tag}-alpha`,
        `${tag}-beta`,
      ]);
    });

    it('GET /admin/namespace/list pages', async () => {
      const first = ok(
        await api.get('/api/v1/admin/namespace/list', { name: tag, page: 1, page_size: 2 }),
      );
      const second = ok(
        await api.get('/api/v1/admin/namespace/list', { name: tag, page: 2, page_size: 2 }),
      );
      expect(first.list).toHaveLength(2);
      expect(second.list).toHaveLength(1);
      expect(first.pagination).toEqual({ page: 1, page_size: 2, total: 3, total_pages: 2 });
    });
  });

  describe('disabled namespace (status 0)', () => {
    let ns: { id: number; name: string };
    beforeAll(async () => {
      ns = await api.createNamespace();
      ok(await api.createConfig(ns.name, 'k', 'v'));
      ok(await api.put(`/api/v1/admin/namespace/${ns.id}`, { status: 0 }));
    });

    it('refuses client reads with 40301', async () => {
      fails(await api.getConfig(ns.name, 'k'), 40301);
      fails(await api.post('/api/v1/config/batch-get', { namespace: ns.name, keys: ['k'] }), 40301);
      fails(await api.namespaceConfigs(ns.name), 40301);
      fails(await api.get('/api/v1/config/versions', { namespace: ns.name, key: 'k' }), 40301);
    });

    it('refuses writes with 40301 and applies nothing', async () => {
      fails(await api.updateConfig(ns.name, 'k', 'changed'), 40301);
      fails(await api.createConfig(ns.name, 'other', 1), 40301);
      fails(await api.deleteConfig(ns.name, 'k'), 40301);
      fails(
        await api.post('/api/v1/admin/config/batch', {
          operations: [{ op: 'upsert', namespace: ns.name, key: 'k', value: 2 }],
        }),
        40301,
      );
      ok(await api.put(`/api/v1/admin/namespace/${ns.id}`, { status: 1 }));
      expect(ok(await api.getConfig(ns.name, 'k'))).toMatchObject({ value: 'v', version: 1 });
      ok(await api.put(`/api/v1/admin/namespace/${ns.id}`, { status: 0 }));
    });

    it('serves reads again once re-enabled', async () => {
      const other = await api.createNamespace();
      ok(await api.createConfig(other.name, 'k', 1));
      ok(await api.put(`/api/v1/admin/namespace/${other.id}`, { status: 0 }));
      fails(await api.getConfig(other.name, 'k'), 40301);
      ok(await api.put(`/api/v1/admin/namespace/${other.id}`, { status: 1 }));
      expect(ok(await api.getConfig(other.name, 'k')).value).toBe(1);
    });
  });

  describe('export and import', () => {
    it('GET /admin/namespace/export then POST /admin/namespace/import into a new namespace round-trips every value', async () => {
      const source = await api.createNamespace(undefined, 'source ns');
      const values: Record<string, unknown> = {
        'db.mysql': { host: 'h', port: 3306, opts: { ssl: true, list: [1, 'two', null] } },
        'feature.on': true,
        'limit.max': 12.5,
        greeting: 'héllo 世界',
        nothing: false,
        list: [{ a: 1 }, []],
      };
      for (const [key, value] of Object.entries(values))
        ok(await api.createConfig(source.name, key, value, { description: `d-${key}` }));
      ok(await api.deleteConfig(source.name, 'list'));
      delete values.list;

      const exported = ok(
        await api.get('/api/v1/admin/namespace/export', { namespace: source.name }),
      );
      expect(exported.namespace).toBe(source.name);
      expect(exported.configs).toHaveLength(Object.keys(values).length);

      const target = uniqueName('imported');
      const imported = ok(
        await api.post('/api/v1/admin/namespace/import', { ...exported, namespace: target }),
      );
      expect(imported).toMatchObject({
        namespace: target,
        created_namespace: true,
        written: 5,
        deleted: 0,
      });
      expect(ok(await api.namespaceConfigs(target)).configs).toEqual(values);
      const again = ok(await api.get('/api/v1/admin/namespace/export', { namespace: target }));
      const strip = (c: { key: string; value: unknown; description: string }) => ({
        key: c.key,
        value: c.value,
        description: c.description,
      });
      expect(again.configs.map(strip).sort(byKey)).toEqual(exported.configs.map(strip).sort(byKey));
    });

    it('import in merge mode (default) upserts and keeps keys absent from the file', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'a', 1));
      ok(await api.createConfig(name, 'b', 1));
      const data = ok(
        await api.post('/api/v1/admin/namespace/import', {
          namespace: name,
          configs: [
            { key: 'b', value: 2 },
            { key: 'c', value: 3 },
          ],
        }),
      );
      expect(data).toMatchObject({ created_namespace: false, written: 2, deleted: 0 });
      const after = ok(await api.namespaceConfigs(name));
      expect(after.configs).toEqual({ a: 1, b: 2, c: 3 });
      expect(after.versions).toMatchObject({ a: 1, b: 2, c: 1 });
    });

    it('import in replace mode also deletes keys absent from the file', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'a', 1));
      ok(await api.createConfig(name, 'b', 1));
      const data = ok(
        await api.post('/api/v1/admin/namespace/import', {
          namespace: name,
          mode: 'replace',
          configs: [
            { key: 'b', value: 2 },
            { key: 'c', value: 3 },
          ],
        }),
      );
      expect(data).toMatchObject({ written: 2, deleted: 1 });
      expect(ok(await api.namespaceConfigs(name)).configs).toEqual({ b: 2, c: 3 });
      const history = ok(
        await api.get('/api/v1/admin/config/history', { namespace: name, key: 'a' }),
      );
      expect(history.list[0].operation).toBe('DELETE');
    });

    it('an import with a bad item applies nothing', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'a', 1));
      fails(
        await api.post('/api/v1/admin/namespace/import', {
          namespace: name,
          mode: 'replace',
          configs: [
            { key: 'a', value: 2 },
            { key: 'bad key', value: 3 },
          ],
        }),
        40002,
      );
      fails(
        await api.post('/api/v1/admin/namespace/import', {
          namespace: name,
          configs: [
            { key: 'a', value: 2 },
            { key: 'a', value: 3 },
          ],
        }),
        40002,
      );
      expect(ok(await api.namespaceConfigs(name)).configs).toEqual({ a: 1 });
    });

    it('export of an unknown namespace is 40402', async () => {
      fails(
        await api.get('/api/v1/admin/namespace/export', { namespace: uniqueName('nope') }),
        40402,
      );
    });
  });
});

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
