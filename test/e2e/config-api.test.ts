import { Api, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';

/** Spec 3.8.3-3.8.5 success paths: client reads, admin writes, history, versions, diff, batch. */
describe('config API', () => {
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

  describe('client reads', () => {
    let ns: string;
    beforeAll(async () => {
      ns = (await api.createNamespace()).name;
      ok(await api.createConfig(ns, 'database.mysql', { host: '10.0.0.1', port: 3306 }));
      ok(await api.updateConfig(ns, 'database.mysql', { host: '10.0.0.2', port: 3306 }));
      ok(await api.createConfig(ns, 'redis.cluster', { nodes: ['a:6379', 'b:6379'] }));
      ok(await api.createConfig(ns, 'app.timeout', 30));
    });

    it('GET /config/get returns the latest version with namespace, key, value, version and updated_at', async () => {
      const data = ok(await api.getConfig(ns, 'database.mysql'));
      expect(data).toMatchObject({
        namespace: ns,
        key: 'database.mysql',
        value: { host: '10.0.0.2', port: 3306 },
        version: 2,
      });
      expect(new Date(data.updated_at).toISOString()).toBe(data.updated_at);
      expect(typeof data.revision).toBe('number');
    });

    it('GET /config/get with version= returns that historical version', async () => {
      const data = ok(await api.getConfig(ns, 'database.mysql', 1));
      expect(data).toMatchObject({
        key: 'database.mysql',
        value: { host: '10.0.0.1', port: 3306 },
        version: 1,
      });
      const latest = ok(await api.getConfig(ns, 'database.mysql', 2));
      expect(latest.value).toEqual({ host: '10.0.0.2', port: 3306 });
    });

    it('GET /config/get keeps scalar values as JSON scalars', async () => {
      expect(ok(await api.getConfig(ns, 'app.timeout')).value).toBe(30);
    });

    it('accepts every JSON value type, null included (common/config-entry-limits.ts: "any JSON value")', async () => {
      const { name } = await api.createNamespace();
      const values: Record<string, unknown> = {
        obj: { a: [1, { b: null }] },
        arr: [1, 'two', false],
        str: 'héllo 世界',
        num: -12.5,
        bool: false,
        nil: null,
      };
      for (const [key, value] of Object.entries(values)) {
        const res = await api.createConfig(name, key, value);
        if (res.status !== 200)
          throw new Error(`value ${JSON.stringify(value)} refused: ${res.text}`);
      }
      expect(ok(await api.namespaceConfigs(name)).configs).toEqual(values);
      expect(ok(await api.getConfig(name, 'nil')).value).toBeNull();
    });

    it('keeps object keys that shadow Object.prototype, through PUT, batch and every read', async () => {
      // class-transformer dropped {"toString": 1} silently and threw on a "constructor" key.
      const { name } = await api.createNamespace();
      const value = {
        toString: 1,
        valueOf: 'v',
        hasOwnProperty: true,
        constructor: { name: 'plain data' },
        list: [{ toString: 'kept' }],
      };
      ok(await api.createConfig(name, 'single', value));
      ok(
        await api.post('/api/v1/admin/config/batch', {
          operations: [{ op: 'create', namespace: name, key: 'batched', value }],
        }),
      );
      ok(await api.updateConfig(name, 'single', { ...value, toString: 2 }));
      expect(ok(await api.getConfig(name, 'batched')).value).toEqual(value);
      expect(ok(await api.getConfig(name, 'single', 1)).value).toEqual(value);
      expect(ok(await api.getConfig(name, 'single')).value).toEqual({ ...value, toString: 2 });
      expect(ok(await api.namespaceConfigs(name)).configs).toEqual({
        single: { ...value, toString: 2 },
        batched: value,
      });
    });

    it('POST /config/batch-get returns the present keys and lists the missing ones', async () => {
      const data = ok(
        await api.post('/api/v1/config/batch-get', {
          namespace: ns,
          keys: ['database.mysql', 'redis.cluster', 'no.such.key'],
        }),
      );
      expect(data.namespace).toBe(ns);
      expect(data.configs).toHaveLength(2);
      const byKey = Object.fromEntries(data.configs.map((c: { key: string }) => [c.key, c]));
      expect(byKey['database.mysql']).toMatchObject({
        value: { host: '10.0.0.2', port: 3306 },
        version: 2,
      });
      expect(byKey['redis.cluster']).toMatchObject({
        value: { nodes: ['a:6379', 'b:6379'] },
        version: 1,
      });
      expect(data.missing).toEqual(['no.such.key']);
    });

    it('GET /config/namespace/:namespace returns every live config keyed by name and the namespace revision', async () => {
      const data = ok(await api.namespaceConfigs(ns));
      expect(data.namespace).toBe(ns);
      expect(data.configs).toEqual({
        'database.mysql': { host: '10.0.0.2', port: 3306 },
        'redis.cluster': { nodes: ['a:6379', 'b:6379'] },
        'app.timeout': 30,
      });
      expect(typeof data.version).toBe('number');
      expect(data.version).toBeGreaterThan(0);
      expect(typeof data.updated_at).toBe('string');
    });
  });

  describe('admin writes', () => {
    it('POST /admin/config creates version 1 and answers id, namespace, key, version', async () => {
      const { name } = await api.createNamespace();
      const res = await api.createConfig(
        name,
        'new.config.key',
        { setting1: 'v', setting2: 123 },
        {
          description: 'a new key',
        },
      );
      const data = ok(res);
      expect(res.body.message).toEqual(expect.any(String));
      expect(data).toMatchObject({ namespace: name, key: 'new.config.key', version: 1 });
      expect(typeof data.id).toBe('number');
      expect(data.old_version ?? null).toBeNull();
    });

    it('PUT /admin/config bumps the version and reports old_version', async () => {
      const { name } = await api.createNamespace();
      const created = ok(await api.createConfig(name, 'k', { a: 1 }));
      const data = ok(await api.updateConfig(name, 'k', { a: 2 }, { description: 'changed' }));
      expect(data).toMatchObject({
        id: created.id,
        namespace: name,
        key: 'k',
        version: 2,
        old_version: 1,
      });
      expect(data.revision).toBeGreaterThan(created.revision);
      expect(ok(await api.getConfig(name, 'k')).value).toEqual({ a: 2 });
    });

    it('PUT /admin/config with the current expected_version succeeds', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'k', 1));
      expect(ok(await api.updateConfig(name, 'k', 2, { expected_version: 1 })).version).toBe(2);
    });

    it('DELETE /admin/config takes query parameters and makes the key unreadable', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'gone.key', 'x'));
      const data = ok(await api.deleteConfig(name, 'gone.key'));
      expect(data).toMatchObject({ namespace: name, key: 'gone.key' });
      fails(await api.getConfig(name, 'gone.key'), 40403);
      expect(ok(await api.namespaceConfigs(name)).configs).toEqual({});
    });

    it('DELETE /admin/config with the current expected_version succeeds', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'k', 1));
      ok(await api.updateConfig(name, 'k', 2));
      ok(await api.deleteConfig(name, 'k', { expected_version: 2 }));
    });
  });

  describe('list', () => {
    let ns: string;
    beforeAll(async () => {
      ns = (await api.createNamespace()).name;
      for (const key of ['db.Host', 'db.port', 'cache.host', 'feature.flag', 'x.db.y'])
        ok(await api.createConfig(ns, key, { key }, { description: `about ${key}` }));
    });

    it('GET /admin/config/list filters by namespace and returns items with the spec fields', async () => {
      const data = ok(await api.get('/api/v1/admin/config/list', { namespace: ns }));
      expect(data.list).toHaveLength(5);
      const item = data.list.find((c: { key: string }) => c.key === 'cache.host');
      expect(item).toMatchObject({
        namespace: ns,
        key: 'cache.host',
        value: { key: 'cache.host' },
        version: 1,
        description: 'about cache.host',
        status: 1,
      });
      expect(typeof item.id).toBe('number');
      expect(typeof item.updated_at).toBe('string');
      expect(item).toHaveProperty('updated_by');
      expect(data.pagination).toEqual({ page: 1, page_size: 20, total: 5, total_pages: 1 });
    });

    it('GET /admin/config/list searches keys by case-insensitive substring', async () => {
      const data = ok(await api.get('/api/v1/admin/config/list', { namespace: ns, key: 'DB' }));
      expect(data.list.map((c: { key: string }) => c.key).sort()).toEqual([
        'db.Host',
        'db.port',
        'x.db.y',
      ]);
      expect(data.pagination.total).toBe(3);
      const host = ok(await api.get('/api/v1/admin/config/list', { namespace: ns, key: 'host' }));
      expect(host.list.map((c: { key: string }) => c.key).sort()).toEqual([
        'cache.host',
        'db.Host',
      ]);
    });

    it('GET /admin/config/list pages with page and page_size', async () => {
      const seen: string[] = [];
      for (const page of [1, 2, 3]) {
        const data = ok(
          await api.get('/api/v1/admin/config/list', { namespace: ns, page, page_size: 2 }),
        );
        expect(data.pagination).toEqual({ page, page_size: 2, total: 5, total_pages: 3 });
        expect(data.list).toHaveLength(page === 3 ? 1 : 2);
        seen.push(...data.list.map((c: { key: string }) => c.key));
      }
      expect(new Set(seen).size).toBe(5);
      const beyond = ok(
        await api.get('/api/v1/admin/config/list', { namespace: ns, page: 9, page_size: 2 }),
      );
      expect(beyond.list).toEqual([]);
    });

    it('GET /admin/config/list without a namespace spans namespaces', async () => {
      const other = (await api.createNamespace()).name;
      ok(await api.createConfig(other, 'db.Host', 1));
      const data = ok(
        await api.get('/api/v1/admin/config/list', { key: 'db.host', page_size: 500 }),
      );
      const namespaces = data.list.map((c: { namespace: string }) => c.namespace);
      expect(namespaces).toEqual(expect.arrayContaining([ns, other]));
    });
  });

  describe('history, versions, rollback, diff', () => {
    let ns: string;
    beforeAll(async () => {
      ns = (await api.createNamespace()).name;
      ok(await api.createConfig(ns, 'svc', { host: 'h1', port: 1 }, {}));
      ok(await api.updateConfig(ns, 'svc', { host: 'h2', port: 1 }));
      ok(await api.updateConfig(ns, 'svc', { host: 'h3', port: 2, extra: true }));
    });

    it('GET /admin/config/history lists every change newest first with old and new values', async () => {
      const data = ok(await api.get('/api/v1/admin/config/history', { namespace: ns, key: 'svc' }));
      expect(data.list.map((h: { version: number }) => h.version)).toEqual([3, 2, 1]);
      expect(data.list.map((h: { operation: string }) => h.operation)).toEqual([
        'UPDATE',
        'UPDATE',
        'CREATE',
      ]);
      expect(data.list[0]).toMatchObject({
        namespace: ns,
        key: 'svc',
        old_value: { host: 'h2', port: 1 },
        new_value: { host: 'h3', port: 2, extra: true },
      });
      expect(data.list[2].old_value).toBeNull();
      expect(typeof data.list[0].id).toBe('number');
      expect(typeof data.list[0].operator).toBe('string');
      expect(typeof data.list[0].created_at).toBe('string');
      expect(data.pagination).toMatchObject({ page: 1, page_size: 20, total: 3 });
    });

    it("GET /admin/config/history records the token's client id as operator, whatever X-Operator says", async () => {
      // DESIGN 21: the operator is who the token says; X-Operator is only an untrusted on_behalf_of.
      const { name } = await api.createNamespace();
      ok(
        await api.post(
          '/api/v1/admin/config',
          { namespace: name, key: 'k', value: 1 },
          { 'X-Operator': 'alice' },
        ),
      );
      const data = ok(await api.get('/api/v1/admin/config/history', { namespace: name, key: 'k' }));
      expect(data.list[0].operator).toBe('admin');
    });

    it('GET /config/versions lists versions newest first with is_current on the latest only', async () => {
      const data = ok(await api.get('/api/v1/config/versions', { namespace: ns, key: 'svc' }));
      expect(data.list.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
      expect(data.list.map((v: { is_current: boolean }) => v.is_current)).toEqual([
        true,
        false,
        false,
      ]);
      expect(data.list[1]).toMatchObject({ value: { host: 'h2', port: 1 } });
      expect(data.list[0]).toHaveProperty('created_by');
      expect(typeof data.list[0].created_at).toBe('string');
      expect(data.pagination).toMatchObject({ page: 1, page_size: 20, total: 3 });
      const paged = ok(
        await api.get('/api/v1/config/versions', {
          namespace: ns,
          key: 'svc',
          page: 2,
          page_size: 2,
        }),
      );
      expect(paged.list.map((v: { version: number }) => v.version)).toEqual([1]);
    });

    it('GET /config/diff reports added, removed and modified paths', async () => {
      const data = ok(
        await api.get('/api/v1/config/diff', {
          namespace: ns,
          key: 'svc',
          from_version: 1,
          to_version: 3,
        }),
      );
      expect(data).toMatchObject({ namespace: ns, key: 'svc', from_version: 1, to_version: 3 });
      expect(data.changes).toEqual(
        expect.arrayContaining([
          { path: 'host', from: 'h1', to: 'h3', type: 'modified' },
          { path: 'port', from: 1, to: 2, type: 'modified' },
          { path: 'extra', from: null, to: true, type: 'added' },
        ]),
      );
      expect(data.changes).toHaveLength(3);
      const back = ok(
        await api.get('/api/v1/config/diff', {
          namespace: ns,
          key: 'svc',
          from_version: 3,
          to_version: 1,
        }),
      );
      expect(back.changes).toContainEqual({ path: 'extra', from: true, to: null, type: 'removed' });
    });

    it('GET /config/diff walks nested objects and arrays', async () => {
      const { name } = await api.createNamespace();
      ok(
        await api.createConfig(name, 'nested', {
          pool: { max: 10, min: 1 },
          nodes: ['a', 'b', 'c'],
          tags: ['x'],
        }),
      );
      ok(
        await api.updateConfig(name, 'nested', {
          pool: { max: 20, idle: 5 },
          nodes: ['a', 'B'],
          tags: ['x', 'y'],
        }),
      );
      const data = ok(
        await api.get('/api/v1/config/diff', {
          namespace: name,
          key: 'nested',
          from_version: 1,
          to_version: 2,
        }),
      );
      expect(data.changes).toEqual(
        expect.arrayContaining([
          { path: 'pool.max', from: 10, to: 20, type: 'modified' },
          { path: 'pool.min', from: 1, to: null, type: 'removed' },
          { path: 'pool.idle', from: null, to: 5, type: 'added' },
          { path: 'nodes[1]', from: 'b', to: 'B', type: 'modified' },
          { path: 'nodes[2]', from: 'c', to: null, type: 'removed' },
          { path: 'tags[1]', from: null, to: 'y', type: 'added' },
        ]),
      );
      expect(data.changes).toHaveLength(6);
    });

    it('GET /config/diff accepts the from/to aliases and an identical pair has no changes', async () => {
      const data = ok(
        await api.get('/api/v1/config/diff', { namespace: ns, key: 'svc', from: 1, to: 2 }),
      );
      expect(data.from_version).toBe(1);
      expect(data.to_version).toBe(2);
      expect(data.changes).toEqual([{ path: 'host', from: 'h1', to: 'h2', type: 'modified' }]);
      const same = ok(
        await api.get('/api/v1/config/diff', { namespace: ns, key: 'svc', from: 2, to: 2 }),
      );
      expect(same.changes).toEqual([]);
    });

    it('POST /admin/config/rollback creates a NEW version equal to the target value', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'r', { v: 1 }));
      ok(await api.updateConfig(name, 'r', { v: 2 }));
      ok(await api.updateConfig(name, 'r', { v: 3 }));
      const res = await api.post('/api/v1/admin/config/rollback', {
        namespace: name,
        key: 'r',
        target_version: 1,
      });
      const data = ok(res);
      expect(data).toMatchObject({
        namespace: name,
        key: 'r',
        previous_version: 3,
        current_version: 4,
      });
      const latest = ok(await api.getConfig(name, 'r'));
      expect(latest).toMatchObject({ version: 4, value: { v: 1 } });
      const versions = ok(await api.get('/api/v1/config/versions', { namespace: name, key: 'r' }));
      expect(versions.list.map((v: { version: number }) => v.version)).toEqual([4, 3, 2, 1]);
      expect(ok(await api.getConfig(name, 'r', 3)).value).toEqual({ v: 3 });
      const history = ok(
        await api.get('/api/v1/admin/config/history', { namespace: name, key: 'r' }),
      );
      expect(history.list[0]).toMatchObject({
        version: 4,
        operation: 'ROLLBACK',
        old_value: { v: 3 },
        new_value: { v: 1 },
      });
    });
  });

  describe('versions never restart (DESIGN 13)', () => {
    it('deleting then re-creating a key continues its version numbers and history shows the DELETE', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'phoenix', 'one'));
      ok(await api.updateConfig(name, 'phoenix', 'two'));
      const deleted = ok(await api.deleteConfig(name, 'phoenix'));
      expect(deleted.version).toBe(3);
      const recreated = ok(await api.createConfig(name, 'phoenix', 'four'));
      expect(recreated.version).toBe(4);
      expect(ok(await api.getConfig(name, 'phoenix'))).toMatchObject({ value: 'four', version: 4 });
      // The old versions stay addressable and unambiguous.
      expect(ok(await api.getConfig(name, 'phoenix', 2)).value).toBe('two');
      const history = ok(
        await api.get('/api/v1/admin/config/history', { namespace: name, key: 'phoenix' }),
      );
      expect(
        history.list.map((h: { version: number; operation: string }) => [h.version, h.operation]),
      ).toEqual([
        [4, 'CREATE'],
        [3, 'DELETE'],
        [2, 'UPDATE'],
        [1, 'CREATE'],
      ]);
      expect(history.list[1]).toMatchObject({ old_value: 'two', new_value: null });
      // A deleted version has no value: it is not a version one can read.
      fails(await api.getConfig(name, 'phoenix', 3), 40403);
    });

    it('history and versions of a deleted key are still readable', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'tomb', 1));
      ok(await api.deleteConfig(name, 'tomb'));
      const history = ok(
        await api.get('/api/v1/admin/config/history', { namespace: name, key: 'tomb' }),
      );
      expect(history.list.map((h: { operation: string }) => h.operation)).toEqual([
        'DELETE',
        'CREATE',
      ]);
      const versions = ok(
        await api.get('/api/v1/config/versions', { namespace: name, key: 'tomb' }),
      );
      expect(versions.list).toEqual([expect.objectContaining({ version: 1, is_current: false })]);
    });
  });

  describe('atomic batch', () => {
    it('POST /admin/config/batch applies creates, updates, upserts and deletes together', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'keep', 1));
      ok(await api.createConfig(name, 'drop', 1));
      const data = ok(
        await api.post('/api/v1/admin/config/batch', {
          operations: [
            { op: 'create', namespace: name, key: 'a', value: 'A' },
            { op: 'update', namespace: name, key: 'keep', value: 2, expected_version: 1 },
            { op: 'upsert', namespace: name, key: 'b', value: { b: true } },
            { op: 'delete', namespace: name, key: 'drop' },
          ],
        }),
      );
      expect(data.results).toHaveLength(4);
      expect(typeof data.revision).toBe('number');
      expect(ok(await api.namespaceConfigs(name)).configs).toEqual({
        a: 'A',
        keep: 2,
        b: { b: true },
      });
    });

    it('POST /admin/config/batch with one failing operation applies nothing', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'existing', 'old'));
      const before = ok(await api.namespaceConfigs(name));
      const res = await api.post('/api/v1/admin/config/batch', {
        operations: [
          { op: 'create', namespace: name, key: 'fresh', value: 1 },
          { op: 'update', namespace: name, key: 'existing', value: 'new' },
          { op: 'create', namespace: name, key: 'existing', value: 'dup' },
        ],
      });
      const body = fails(res, 40902);
      expect(body.error.details).toMatchObject({ index: 2 });
      const after = ok(await api.namespaceConfigs(name));
      expect(after.configs).toEqual({ existing: 'old' });
      expect(after.version).toBe(before.version);
      fails(await api.getConfig(name, 'fresh'), 40403);
      const history = ok(
        await api.get('/api/v1/admin/config/history', { namespace: name, key: 'existing' }),
      );
      expect(history.pagination.total).toBe(1);
    });

    it('POST /admin/config/batch spanning namespaces fails whole when one namespace is unknown', async () => {
      const { name } = await api.createNamespace();
      const res = await api.post('/api/v1/admin/config/batch', {
        operations: [
          { op: 'create', namespace: name, key: 'a', value: 1 },
          { op: 'create', namespace: uniqueName('missing'), key: 'a', value: 1 },
        ],
      });
      fails(res, 40402);
      expect(ok(await api.namespaceConfigs(name)).configs).toEqual({});
    });
  });

  describe('idempotency (DESIGN 12)', () => {
    it('the same create sent twice with one Idempotency-Key is applied once and answered identically', async () => {
      const { name } = await api.createNamespace();
      const key = uniqueName('idem');
      const first = await api.post(
        '/api/v1/admin/config',
        { namespace: name, key: 'k', value: 1 },
        { 'Idempotency-Key': key },
      );
      const second = await api.post(
        '/api/v1/admin/config',
        { namespace: name, key: 'k', value: 1 },
        { 'Idempotency-Key': key },
      );
      expect(ok(second)).toEqual(ok(first));
      const history = ok(
        await api.get('/api/v1/admin/config/history', { namespace: name, key: 'k' }),
      );
      expect(history.pagination.total).toBe(1);
    });

    it('the same update sent twice with one Idempotency-Key increments the version once', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'k', 1));
      const key = uniqueName('idem');
      const first = ok(
        await api.put(
          '/api/v1/admin/config',
          { namespace: name, key: 'k', value: 2 },
          { 'Idempotency-Key': key },
        ),
      );
      const second = ok(
        await api.put(
          '/api/v1/admin/config',
          { namespace: name, key: 'k', value: 2 },
          { 'Idempotency-Key': key },
        ),
      );
      expect(second).toEqual(first);
      expect(first.version).toBe(2);
      expect(ok(await api.getConfig(name, 'k')).version).toBe(2);
    });

    it('a repeated X-Request-Id is for tracing only: both writes are applied', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'k', 1));
      const id = uniqueName('req');
      const update = () =>
        api.put(
          '/api/v1/admin/config',
          { namespace: name, key: 'k', value: 2 },
          { 'X-Request-Id': id },
        );
      expect(ok(await update()).version).toBe(2);
      expect(ok(await update()).version).toBe(3);
    });

    it('a retried failed write answers the same failure', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'k', 1));
      const key = uniqueName('idem');
      const first = fails(
        await api.post(
          '/api/v1/admin/config',
          { namespace: name, key: 'k', value: 9 },
          { 'Idempotency-Key': key },
        ),
        40902,
      );
      const second = fails(
        await api.post(
          '/api/v1/admin/config',
          { namespace: name, key: 'k', value: 9 },
          { 'Idempotency-Key': key },
        ),
        40902,
      );
      expect(second.message).toBe(first.message);
    });

    it('different Idempotency-Keys are different writes', async () => {
      const { name } = await api.createNamespace();
      ok(await api.createConfig(name, 'k', 1));
      ok(
        await api.put(
          '/api/v1/admin/config',
          { namespace: name, key: 'k', value: 2 },
          { 'Idempotency-Key': uniqueName('a') },
        ),
      );
      ok(
        await api.put(
          '/api/v1/admin/config',
          { namespace: name, key: 'k', value: 2 },
          { 'Idempotency-Key': uniqueName('b') },
        ),
      );
      expect(ok(await api.getConfig(name, 'k')).version).toBe(3);
    });
  });
});
