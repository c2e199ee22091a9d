import { Api, Json, Reply, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';

const REUSED = 42201;
type Headers = Record<string, string>;

/**
 * One write endpoint: `same` sends the request whose retry must be answered once, `different`
 * another request to the same endpoint; `observe` reads what a second apply would change.
 */
interface WriteCase {
  same(headers: Headers): Promise<Reply>;
  different(headers: Headers): Promise<Reply>;
  observe(): Promise<Json>;
}

/** What the namespaces named hold: their revision, status, description and configs. */
async function observeNamespaces(api: Api, ...names: string[]): Promise<Json> {
  const seen: Json = {};
  for (const name of names) {
    const listed = ok(await api.get('/api/v1/admin/namespace/list', { name }));
    const namespace = listed.list.find((ns: Json) => ns.name === name) ?? null;
    const configs = await api.namespaceConfigs(name);
    seen[name] = { namespace, configs: configs.status === 200 ? configs.body.data : null };
  }
  return seen;
}

async function history(api: Api, namespace: string, key: string): Promise<number> {
  const reply = ok(await api.get('/api/v1/admin/config/history', { namespace, key }));
  return reply.pagination.total as number;
}

const cases: Record<string, (api: Api) => Promise<WriteCase>> = {
  'POST /admin/config (create)': async (api) => {
    const { name } = await api.createNamespace();
    return {
      same: (h) => api.post('/api/v1/admin/config', { namespace: name, key: 'k', value: 1 }, h),
      different: (h) =>
        api.post('/api/v1/admin/config', { namespace: name, key: 'k2', value: 1 }, h),
      observe: async () => ({
        ...(await observeNamespaces(api, name)),
        history: await history(api, name, 'k'),
      }),
    };
  },
  'PUT /admin/config (update)': async (api) => {
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 1));
    return {
      same: (h) => api.put('/api/v1/admin/config', { namespace: name, key: 'k', value: 2 }, h),
      different: (h) => api.put('/api/v1/admin/config', { namespace: name, key: 'k', value: 3 }, h),
      observe: () => observeNamespaces(api, name),
    };
  },
  'DELETE /admin/config': async (api) => {
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 1));
    ok(await api.createConfig(name, 'k2', 1));
    return {
      same: (h) => api.delete('/api/v1/admin/config', { namespace: name, key: 'k' }, h),
      different: (h) => api.delete('/api/v1/admin/config', { namespace: name, key: 'k2' }, h),
      observe: async () => ({
        ...(await observeNamespaces(api, name)),
        history: await history(api, name, 'k'),
      }),
    };
  },
  'POST /admin/config/batch': async (api) => {
    const { name } = await api.createNamespace();
    const batch = (value: number) => ({
      operations: [
        { op: 'upsert', namespace: name, key: 'a', value },
        { op: 'upsert', namespace: name, key: 'b', value },
      ],
    });
    return {
      same: (h) => api.post('/api/v1/admin/config/batch', batch(1), h),
      different: (h) => api.post('/api/v1/admin/config/batch', batch(2), h),
      observe: () => observeNamespaces(api, name),
    };
  },
  'POST /admin/config/rollback': async (api) => {
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 1));
    ok(await api.updateConfig(name, 'k', 2));
    ok(await api.updateConfig(name, 'k', 3));
    const rollback = (target: number) => ({ namespace: name, key: 'k', target_version: target });
    return {
      same: (h) => api.post('/api/v1/admin/config/rollback', rollback(1), h),
      different: (h) => api.post('/api/v1/admin/config/rollback', rollback(2), h),
      observe: () => observeNamespaces(api, name),
    };
  },
  'PUT /admin/config/version/keep': async (api) => {
    const { name } = await api.createNamespace();
    ok(await api.createConfig(name, 'k', 1));
    ok(await api.updateConfig(name, 'k', 2));
    const keep = (version: number) => ({ namespace: name, key: 'k', version, kept: true });
    return {
      same: (h) => api.put('/api/v1/admin/config/version/keep', keep(1), h),
      different: (h) => api.put('/api/v1/admin/config/version/keep', keep(2), h),
      observe: async () => {
        const versions = ok(
          await api.get('/api/v1/config/versions', { namespace: name, key: 'k' }),
        );
        return versions.list ?? versions;
      },
    };
  },
  'POST /admin/namespace (create)': async (api) => {
    const [first, second] = [uniqueName('idem-a'), uniqueName('idem-b')];
    return {
      same: (h) => api.post('/api/v1/admin/namespace', { name: first }, h),
      different: (h) => api.post('/api/v1/admin/namespace', { name: second }, h),
      observe: () => observeNamespaces(api, first, second),
    };
  },
  'PUT /admin/namespace/{id}': async (api) => {
    const { id, name } = await api.createNamespace();
    return {
      same: (h) => api.put(`/api/v1/admin/namespace/${id}`, { description: 'one' }, h),
      different: (h) => api.put(`/api/v1/admin/namespace/${id}`, { description: 'two' }, h),
      observe: () => observeNamespaces(api, name),
    };
  },
  'DELETE /admin/namespace/{id}': async (api) => {
    const first = await api.createNamespace();
    const second = await api.createNamespace();
    return {
      same: (h) => api.delete(`/api/v1/admin/namespace/${first.id}`, {}, h),
      different: (h) => api.delete(`/api/v1/admin/namespace/${second.id}`, {}, h),
      observe: () => observeNamespaces(api, first.name, second.name),
    };
  },
  'POST /admin/namespace/import': async (api) => {
    const name = uniqueName('idem-import');
    const document = (value: number) => ({
      namespace: name,
      mode: 'merge',
      configs: [
        { key: 'a', value },
        { key: 'b', value: { nested: value } },
      ],
    });
    return {
      same: (h) => api.post('/api/v1/admin/namespace/import', document(1), h),
      different: (h) => api.post('/api/v1/admin/namespace/import', document(2), h),
      observe: () => observeNamespaces(api, name),
    };
  },
};

/** DESIGN 12 (issue 11, item 3): Idempotency-Key scoped, fingerprinted, never X-Request-Id. */
describe('idempotency keys', () => {
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

  describe.each(Object.entries(cases))('%s', (_, prepare) => {
    it('answers a retry with the same body with the first result, applied once', async () => {
      const write = await prepare(api);
      const key = { 'Idempotency-Key': uniqueName('idem') };
      const first = ok(await write.same(key));
      const applied = await write.observe();
      const retried = ok(await write.same(key));
      expect(retried).toEqual(first);
      expect(await write.observe()).toEqual(applied);
    });

    it('refuses the key with another body: 422, code 42201, nothing applied', async () => {
      const write = await prepare(api);
      const key = { 'Idempotency-Key': uniqueName('idem') };
      const first = ok(await write.same(key));
      const applied = await write.observe();
      const refused = fails(await write.different(key), REUSED);
      expect(refused.message).toMatch(/Idempotency-Key/);
      expect(await write.observe()).toEqual(applied);
      // The key still belongs to the first request.
      expect(ok(await write.same(key))).toEqual(first);
    });

    it('applies two different writes that share an X-Request-Id (tracing only)', async () => {
      const write = await prepare(api);
      const trace = { 'X-Request-Id': uniqueName('trace') };
      ok(await write.same(trace));
      const between = await write.observe();
      ok(await write.different(trace));
      expect(await write.observe()).not.toEqual(between);
    });
  });

  it('answers five concurrent duplicates identically and applies the write once', async () => {
    const { name } = await api.createNamespace();
    const key = { 'Idempotency-Key': uniqueName('idem') };
    const body = { namespace: name, key: 'k', value: { n: 1 } };
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => api.post('/api/v1/admin/config', body, key)),
    );
    const answers = replies.map((reply) => ok(reply));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(await history(api, name, 'k')).toBe(1);
    expect(ok(await api.getConfig(name, 'k')).version).toBe(1);
  });

  it('answers five concurrent duplicate imports identically and applies them once', async () => {
    const name = uniqueName('idem-import');
    const key = { 'Idempotency-Key': uniqueName('idem') };
    const body = { namespace: name, configs: [{ key: 'a', value: 1 }] };
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => api.post('/api/v1/admin/namespace/import', body, key)),
    );
    const answers = replies.map((reply) => ok(reply));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(ok(await api.getConfig(name, 'a')).version).toBe(1);
  });

  it('keeps one key on two endpoints apart (create config, create namespace)', async () => {
    const { name } = await api.createNamespace();
    const key = { 'Idempotency-Key': uniqueName('idem') };
    const config = ok(
      await api.post('/api/v1/admin/config', { namespace: name, key: 'k', value: 1 }, key),
    );
    const other = uniqueName('idem-ns');
    const namespace = ok(await api.post('/api/v1/admin/namespace', { name: other }, key));
    expect(config).toMatchObject({ namespace: name, key: 'k', version: 1 });
    expect(namespace).toMatchObject({ name: other });
  });

  it('matches a retry whose JSON members come in another order', async () => {
    const { name } = await api.createNamespace();
    const key = { 'Idempotency-Key': uniqueName('idem') };
    const first = ok(
      await api.post(
        '/api/v1/admin/config',
        { namespace: name, key: 'k', value: { a: 1, b: 2 } },
        key,
      ),
    );
    const retried = ok(
      await api.post(
        '/api/v1/admin/config',
        { value: { b: 2, a: 1 }, key: 'k', namespace: name },
        key,
      ),
    );
    expect(retried).toEqual(first);
  });

  it('refuses a malformed Idempotency-Key with 40001 and never a write for its X-Request-Id', async () => {
    const { name } = await api.createNamespace();
    fails(
      await api.post(
        '/api/v1/admin/config',
        { namespace: name, key: 'k', value: 1 },
        {
          'Idempotency-Key': 'x'.repeat(129),
        },
      ),
      40001,
    );
    ok(
      await api.post(
        '/api/v1/admin/config',
        { namespace: name, key: 'k', value: 1 },
        {
          'X-Request-Id': 'abc/def+ghi==',
        },
      ),
    );
    // Any visible ASCII is a key: a base64 one works.
    ok(
      await api.post(
        '/api/v1/admin/config',
        { namespace: name, key: 'k2', value: 1 },
        {
          'Idempotency-Key': 'abc/def+ghi==',
        },
      ),
    );
  });
});
