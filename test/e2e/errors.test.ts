import { Api, expectEnvelope, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';

/** Spec 3.8.8: every reachable error code, with HTTP status code/100, an envelope and a request id. */
describe('error codes', () => {
  afterAll(() => removeSuiteDatabase());

  describe('40002 value too large (MAX_VALUE_BYTES=64)', () => {
    let small: TestApp;
    beforeAll(async () => {
      small = await startApp({ MAX_VALUE_BYTES: '64' });
    });
    afterAll(() => small.close());

    it('refuses a value above the limit on create, update, batch and import, and applies nothing', async () => {
      const { name } = await small.api.createNamespace();
      ok(await small.api.createConfig(name, 'fits', 'x'.repeat(40)));
      const big = 'x'.repeat(100);
      const body = fails(await small.api.createConfig(name, 'big', big), 40002);
      expect(JSON.stringify(body)).toMatch(/limit|large/);
      fails(await small.api.updateConfig(name, 'fits', { big }), 40002);
      fails(
        await small.api.post('/api/v1/admin/config/batch', {
          operations: [{ op: 'upsert', namespace: name, key: 'b', value: big }],
        }),
        40002,
      );
      fails(
        await small.api.post('/api/v1/admin/namespace/import', {
          namespace: name,
          configs: [{ key: 'b', value: big }],
        }),
        40002,
      );
      expect(ok(await small.api.namespaceConfigs(name)).configs).toEqual({ fits: 'x'.repeat(40) });
    });

    it('does not bound `_system` values: the node can still write its own settings', async () => {
      const { name } = await small.api.createNamespace();
      const warmup = { namespaces: [name, `${name}-b`], hot_keys: 100, max_seconds: 10 };
      expect(JSON.stringify(warmup).length).toBeGreaterThan(64);
      ok(await small.api.updateConfig('_system', 'cache_warmup', warmup));
      expect(ok(await small.api.getConfig('_system', 'cache_warmup')).value).toEqual(warmup);
    });
  });

  describe('40002 a write too large for one log entry', () => {
    let server: TestApp;
    beforeAll(async () => {
      server = await startApp();
    });
    afterAll(() => server.close());

    it('refuses a batch that encodes above 7 MiB before writing anything, and keeps serving', async () => {
      // Six values just under MAX_VALUE_BYTES (1 MiB) in a body under 8 MiB; every `"` of a
      // value is escaped inside the log entry, so the entry grows to ~9 MiB. Its raft_log row
      // (hex, 18 MiB) would exceed MySQL's max_allowed_packet.
      const { name } = await server.api.createNamespace();
      const value = Array.from({ length: 250_000 }, () => 'a');
      const body = fails(
        await server.api.post('/api/v1/admin/config/batch', {
          operations: Array.from({ length: 6 }, (_, i) => ({
            op: 'create',
            namespace: name,
            key: `big.${i}`,
            value,
          })),
        }),
        40002,
      );
      expect(body.message).toMatch(/at most \d+ bytes/);
      expect(ok(await server.api.namespaceConfigs(name)).configs).toEqual({});
      ok(await server.api.createConfig(name, 'after', 'still writable'));
      ok(await server.api.createConfig(name, 'one-big', value));
      expect(ok(await server.api.getConfig(name, 'one-big')).value).toHaveLength(250_000);
    });
  });

  describe('40101 / 40301 admin token (ADMIN_TOKEN set)', () => {
    let secured: TestApp;
    const token = 's3cret-token-for-errors';
    beforeAll(async () => {
      secured = await startApp({ ADMIN_TOKEN: token });
    });
    afterAll(() => secured.close());

    it('an admin call without Authorization is 40101', async () => {
      const anonymous = secured.api.anonymous();
      fails(await anonymous.post('/api/v1/admin/namespace', { name: uniqueName() }), 40101);
      fails(await anonymous.get('/api/v1/admin/config/list'), 40101);
      fails(await anonymous.delete('/api/v1/admin/config', { namespace: 'x', key: 'y' }), 40101);
    });

    // DESIGN 21: an unknown token is no credential (40101); 40301 is a valid one outside its role.
    it('an admin call with a wrong token is 40101', async () => {
      fails(
        await secured.api.post(
          '/api/v1/admin/namespace',
          { name: uniqueName() },
          { Authorization: 'Bearer wrong' },
        ),
        40101,
      );
      fails(
        await secured.api.get(
          '/api/v1/admin/config/list',
          {},
          { Authorization: `Bearer ${token}x` },
        ),
        40101,
      );
    });

    it('an admin call with the right token succeeds, and client reads need a token too', async () => {
      const admin = secured.api.with({ Authorization: `Bearer ${token}` });
      const { name } = await admin.createNamespace();
      ok(await admin.createConfig(name, 'k', 1));
      expect(ok(await admin.getConfig(name, 'k')).value).toBe(1);
      ok(await admin.namespaceConfigs(name));
      // No token: client reads are refused too (DESIGN 21); health stays open.
      const anonymous = secured.api.anonymous();
      fails(await anonymous.getConfig(name, 'k'), 40101);
      fails(await anonymous.namespaceConfigs(name), 40101);
      ok(await anonymous.get('/api/v1/health'));
    });

    it('a percent-encoded admin path (/api/v1/%61dmin/...) still needs the token', async () => {
      const name = uniqueName('bypass');
      const anonymous = secured.api.anonymous();
      fails(await anonymous.post('/api/v1/%61dmin/namespace', { name }), 40101);
      fails(await anonymous.get('/api/v1/%61dmin/config/list'), 40101);
      const admin = secured.api.with({ Authorization: `Bearer ${token}` });
      expect(ok(await admin.get('/api/v1/admin/namespace/list', { name })).list).toEqual([]);
    });

    it('creating a namespace whose name starts with _ is 40301, even for an admin', async () => {
      const admin = secured.api.with({ Authorization: `Bearer ${token}` });
      fails(await admin.post('/api/v1/admin/namespace', { name: `_x${Date.now()}` }), 40301);
      fails(await admin.post('/api/v1/admin/namespace', { name: '_x' }), 40301);
      fails(
        await admin.post('/api/v1/admin/namespace/import', { namespace: '_x', configs: [] }),
        40301,
      );
    });
  });

  describe('default app', () => {
    let server: TestApp;
    let api: Api;
    let ns: { id: number; name: string };

    beforeAll(async () => {
      server = await startApp();
      api = server.api;
      ns = await api.createNamespace();
      ok(await api.createConfig(ns.name, 'k', { v: 1 }));
      ok(await api.updateConfig(ns.name, 'k', { v: 2 }));
    });
    afterAll(() => server.close());

    describe('request id', () => {
      it('echoes a sent X-Request-Id in the header and the body', async () => {
        const id = uniqueName('trace');
        const res = await api.get(
          '/api/v1/config/get',
          { namespace: ns.name, key: 'k' },
          { 'X-Request-Id': id },
        );
        ok(res);
        expect(res.body.request_id).toBe(id);
        expect(res.headers['x-request-id']).toBe(id);
      });

      it('echoes X-Request-Id on errors too', async () => {
        const id = uniqueName('trace');
        const res = await api.get(
          '/api/v1/config/get',
          { namespace: ns.name, key: 'nope' },
          { 'X-Request-Id': id },
        );
        fails(res, 40403);
        expect(res.body.request_id).toBe(id);
        expect(res.headers['x-request-id']).toBe(id);
      });

      it('generates a distinct request id when none is sent', async () => {
        const a = await api.get('/api/v1/health/live');
        const b = await api.get('/api/v1/health/live');
        ok(a);
        ok(b);
        expect(a.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
        expect(a.body.request_id).not.toBe(b.body.request_id);
      });
    });

    describe('40001 missing required parameter', () => {
      it('GET /config/get without key', async () => {
        const body = fails(await api.get('/api/v1/config/get', { namespace: ns.name }), 40001);
        expect(JSON.stringify(body.error.details)).toContain('key');
      });

      it('GET /config/get without namespace', async () => {
        fails(await api.get('/api/v1/config/get', { key: 'k' }), 40001);
      });

      it('POST /admin/config without value', async () => {
        const body = fails(
          await api.post('/api/v1/admin/config', { namespace: ns.name, key: 'x' }),
          40001,
        );
        expect(JSON.stringify(body.error.details)).toContain('value');
      });

      it('POST /admin/config with no body at all', async () => {
        fails(await api.post('/api/v1/admin/config'), 40001);
      });

      it('POST /config/batch-get without keys', async () => {
        fails(await api.post('/api/v1/config/batch-get', { namespace: ns.name }), 40001);
      });

      it('DELETE /admin/config without key', async () => {
        fails(await api.delete('/api/v1/admin/config', { namespace: ns.name }), 40001);
      });

      it('GET /config/diff without to_version', async () => {
        fails(
          await api.get('/api/v1/config/diff', { namespace: ns.name, key: 'k', from_version: 1 }),
          40001,
        );
      });

      it('POST /admin/config/rollback without target_version', async () => {
        fails(
          await api.post('/api/v1/admin/config/rollback', { namespace: ns.name, key: 'k' }),
          40001,
        );
      });

      it('POST /admin/namespace without name', async () => {
        fails(await api.post('/api/v1/admin/namespace', { description: 'x' }), 40001);
      });

      it('a body that is not valid JSON', async () => {
        fails(
          await api.raw('post', '/api/v1/admin/config', '{"namespace":', 'application/json'),
          40001,
        );
      });
    });

    describe('40002 validation failed', () => {
      it('a key with characters outside the allowed set', async () => {
        for (const key of ['has space', 'semi;colon', '.leading-dot', 'zero\u200bwidth', 'a\nb']) {
          const body = fails(await api.createConfig(ns.name, key, 1), 40002);
          expect(JSON.stringify(body.error.details)).toContain('key');
        }
      });

      it('a key longer than 256 characters', async () => {
        fails(await api.createConfig(ns.name, 'k'.repeat(257), 1), 40002);
      });

      it('a bad namespace name', async () => {
        fails(await api.post('/api/v1/admin/namespace', { name: 'bad name!' }), 40002);
        fails(await api.getConfig('bad name!', 'k'), 40002);
      });

      it('page_size out of range or not a number', async () => {
        fails(await api.get('/api/v1/admin/config/list', { page_size: 0 }), 40002);
        fails(await api.get('/api/v1/admin/config/list', { page_size: 501 }), 40002);
        fails(await api.get('/api/v1/admin/config/list', { page_size: 'ten' }), 40002);
        fails(await api.get('/api/v1/admin/namespace/list', { page: -1 }), 40002);
        fails(
          await api.get('/api/v1/config/versions', {
            namespace: ns.name,
            key: 'k',
            page_size: 1.5,
          }),
          40002,
        );
      });

      it('version= that is not a positive integer', async () => {
        fails(
          await api.get('/api/v1/config/get', { namespace: ns.name, key: 'k', version: 0 }),
          40002,
        );
        fails(
          await api.get('/api/v1/config/get', { namespace: ns.name, key: 'k', version: 'abc' }),
          40002,
        );
      });

      it('a batch operation with an unknown op', async () => {
        fails(
          await api.post('/api/v1/admin/config/batch', {
            operations: [{ op: 'explode', namespace: ns.name, key: 'k', value: 1 }],
          }),
          40002,
        );
      });

      it('a batch operation that is an array, not an object, is 40002 (not 50001)', async () => {
        fails(
          await api.raw(
            'post',
            '/api/v1/admin/config/batch',
            '{"operations":[[]]}',
            'application/json',
          ),
          40002,
        );
      });

      it('an import item that is an array, not an object, is 40002 (not 50001)', async () => {
        const body = JSON.stringify({ namespace: ns.name, configs: [[]] });
        fails(
          await api.raw('post', '/api/v1/admin/namespace/import', body, 'application/json'),
          40002,
        );
      });

      it('an empty batch', async () => {
        const res = await api.post('/api/v1/admin/config/batch', { operations: [] });
        expect([40001, 40002]).toContain(res.body.code);
        fails(res, res.body.code);
      });

      it('a namespace status other than 0 or 1', async () => {
        fails(await api.put(`/api/v1/admin/namespace/${ns.id}`, { status: 7 }), 40002);
      });

      it('rollback to the current (or a later) version', async () => {
        fails(
          await api.post('/api/v1/admin/config/rollback', {
            namespace: ns.name,
            key: 'k',
            target_version: 2,
          }),
          40002,
        );
      });
    });

    describe('404 family', () => {
      it('an unknown route is 40401', async () => {
        fails(await api.get('/api/v1/no/such/route'), 40401);
        fails(await api.post('/api/v1/config/get', {}), 40401);
      });

      it('an unknown namespace is 40402', async () => {
        const missing = uniqueName('missing');
        fails(await api.getConfig(missing, 'k'), 40402);
        fails(await api.namespaceConfigs(missing), 40402);
        fails(
          await api.post('/api/v1/config/batch-get', { namespace: missing, keys: ['k'] }),
          40402,
        );
        fails(await api.createConfig(missing, 'k', 1), 40402);
        fails(await api.put('/api/v1/admin/namespace/987654321', { description: 'x' }), 40402);
        fails(await api.delete('/api/v1/admin/namespace/987654321'), 40402);
      });

      it('an unknown key is 40403', async () => {
        fails(await api.getConfig(ns.name, 'no.such.key'), 40403);
        fails(await api.updateConfig(ns.name, 'no.such.key', 1), 40403);
        fails(await api.deleteConfig(ns.name, 'no.such.key'), 40403);
        fails(
          await api.get('/api/v1/admin/config/history', { namespace: ns.name, key: 'no.such.key' }),
          40403,
        );
        fails(
          await api.get('/api/v1/config/versions', { namespace: ns.name, key: 'no.such.key' }),
          40403,
        );
      });

      it('an unknown version is 40403', async () => {
        fails(await api.getConfig(ns.name, 'k', 99), 40403);
        fails(
          await api.get('/api/v1/config/diff', {
            namespace: ns.name,
            key: 'k',
            from_version: 1,
            to_version: 99,
          }),
          40403,
        );
        fails(
          await api.post('/api/v1/admin/config/rollback', {
            namespace: ns.name,
            key: 'k',
            target_version: 99,
          }),
          40403,
        );
        fails(
          await api.put('/api/v1/admin/config/version/keep', {
            namespace: ns.name,
            key: 'k',
            version: 99,
          }),
          40403,
        );
      });
    });

    describe('409 family', () => {
      it('PUT with a stale expected_version is 40901 and changes nothing', async () => {
        const body = fails(
          await api.updateConfig(ns.name, 'k', { v: 'stale' }, { expected_version: 1 }),
          40901,
        );
        expect(body.error.details).toMatchObject({ expected_version: 1, actual_version: 2 });
        expect(ok(await api.getConfig(ns.name, 'k'))).toMatchObject({
          version: 2,
          value: { v: 2 },
        });
      });

      it('DELETE with a stale expected_version is 40901 and deletes nothing', async () => {
        fails(await api.deleteConfig(ns.name, 'k', { expected_version: 1 }), 40901);
        expect(ok(await api.getConfig(ns.name, 'k')).version).toBe(2);
      });

      it('deleting a namespace that still holds configs is 40901', async () => {
        fails(await api.delete(`/api/v1/admin/namespace/${ns.id}`), 40901);
        ok(await api.namespaceConfigs(ns.name));
      });

      it('creating a namespace that exists is 40901', async () => {
        fails(await api.post('/api/v1/admin/namespace', { name: ns.name }), 40901);
      });

      it('creating a key that exists is 40902', async () => {
        fails(await api.createConfig(ns.name, 'k', 'again'), 40902);
        expect(ok(await api.getConfig(ns.name, 'k')).version).toBe(2);
      });
    });

    it('GET /config/get with version=1e3 answers a 4xx envelope, never a 500', async () => {
      const res = await api.get('/api/v1/config/get', {
        namespace: ns.name,
        key: 'k',
        version: '1e3',
      });
      expectEnvelope(res);
      expect(res.status).toBeLessThan(500);
    });
  });
});
