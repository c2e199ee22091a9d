import fc from 'fast-check';
import request from 'supertest';
import { Api, Reply, expectEnvelope, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';
import { ADMIN_HEADERS } from '../support/auth';
import { KNOWN_CODES, hostileHeaders, jsonText, verdictOf } from '../support/hostile';

/**
 * Property tests (DESIGN 8): whatever a client sends, the answer is an envelope with a 4xx
 * code, never a bare 500 / 50001; and a batch with an invalid operation never half-applies.
 * fast-check prints the seed and the shrunk counterexample on failure.
 */
const RUNS = 150;
const TIME_LIMIT_MS = 25_000;
const params = { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS };
/** The hostile-input properties are cheap per run: more of them. */
const hostileParams = { numRuns: 1000, interruptAfterTimeLimit: TIME_LIMIT_MS };

jest.setTimeout(60_000);

describe('fuzzing the API', () => {
  let server: TestApp;
  let api: Api;
  // Named up front: the generators below are built before beforeAll runs.
  const ns = uniqueName('fuzz');

  beforeAll(async () => {
    server = await startApp({ MAX_VALUE_BYTES: '2048' });
    api = server.api;
    await api.createNamespace(ns);
    for (let i = 0; i < 4; i++) ok(await api.createConfig(ns, `k${i}`, { i }));
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  /** Never a server error, always an envelope; a success is fine (the input may be valid). */
  function expectHandled(reply: Reply, what: string): void {
    if (reply.status >= 500 || reply.body?.code === 50001) {
      throw new Error(`${what} -> HTTP ${reply.status}: ${reply.text.slice(0, 400)}`);
    }
    expectEnvelope(reply);
    expect(KNOWN_CODES.has(reply.body.code)).toBe(true);
    expect(reply.status).toBe(reply.body.code === 0 ? 200 : Math.floor(reply.body.code / 100));
  }

  /** Any method, raw query string, raw body bytes, any headers: what a hostile client sends. */
  async function hostile(
    method: string,
    path: string,
    options: { query?: string; body?: Buffer; contentType?: string; headers?: object } = {},
  ): Promise<Reply> {
    const agent = request(server.app.getHttpServer());
    const url = options.query ? `${path}?${options.query}` : path;
    const test = (agent as unknown as Record<string, (url: string) => request.Test>)[method](url);
    // The admin token unless the hostile headers bring their own `authorization`.
    for (const [name, value] of Object.entries({ ...ADMIN_HEADERS, ...options.headers }))
      test.set(name, String(value));
    if (options.contentType !== undefined) test.set('content-type', options.contentType);
    if (options.body !== undefined)
      void test.serialize((bytes: unknown) => bytes as string).send(options.body);
    const res = await test;
    return {
      status: res.status,
      body: res.body,
      text: res.text,
      headers: res.headers as Record<string, string>,
    };
  }

  // --- generators ----------------------------------------------------------------------------

  const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom(
      '',
      ' ',
      'k0',
      'a.b',
      '_x',
      '../x',
      '%00',
      'a\u0000b',
      '1e999',
      'x'.repeat(300),
    ),
  );
  const namespaceLike = fc.oneof(fc.constant(ns), text, fc.constant(uniqueName('ghost')));
  const scalar = fc.oneof(
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, 1.5, '1', '-1'),
  );
  const anyJson = fc.jsonValue({ maxDepth: 3 });
  const fieldValue = fc.oneof(scalar, anyJson, fc.array(scalar, { maxLength: 3 }));

  /** Objects that look like the endpoint's body: known field names with wild values, plus noise. */
  const bodyLike = (fields: string[]) =>
    fc.oneof(
      anyJson,
      fc.dictionary(fc.oneof(fc.constantFrom(...fields), text), fieldValue, { maxKeys: 7 }),
      fc.record(
        Object.fromEntries(
          fields.map((f) => [f, f === 'namespace' || f === 'name' ? namespaceLike : fieldValue]),
        ),
        { requiredKeys: [] },
      ),
    );

  const configFields = ['namespace', 'key', 'value', 'description', 'expected_version'];
  const operation = bodyLike(['op', ...configFields]).map((o) =>
    typeof o === 'object' && o !== null && !Array.isArray(o) && Math.random() < 0.5
      ? { op: 'upsert', ...o }
      : o,
  );
  const batchBody = fc.oneof(
    bodyLike(['operations']),
    fc.record({
      // Mostly operation-like objects, sometimes a stray scalar or array in the list.
      operations: fc.array(
        fc.oneof(
          { weight: 4, arbitrary: operation },
          { weight: 1, arbitrary: fieldValue },
          { weight: 1, arbitrary: fc.array(fc.oneof(anyJson, fc.constant({})), { maxLength: 2 }) },
        ),
        {
          maxLength: 5,
        },
      ),
    }),
  );

  // --- properties ------------------------------------------------------------------------

  it('random JSON bodies for POST/PUT/DELETE /admin/config never produce a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('post', 'put', 'delete') as fc.Arbitrary<'post' | 'put' | 'delete'>,
        bodyLike(configFields),
        async (method, body) => {
          const reply = await api.raw(
            method,
            '/api/v1/admin/config',
            JSON.stringify(body),
            'application/json',
          );
          expectHandled(reply, `${method} ${JSON.stringify(body)}`);
        },
      ),
      params,
    );
  });

  it('random bodies for POST /admin/config/batch never produce a 500', async () => {
    await fc.assert(
      fc.asyncProperty(batchBody, async (body) => {
        const reply = await api.raw(
          'post',
          '/api/v1/admin/config/batch',
          JSON.stringify(body),
          'application/json',
        );
        expectHandled(reply, `batch ${JSON.stringify(body)}`);
      }),
      params,
    );
  });

  it('random bodies for namespace writes, import and rollback never produce a 500', async () => {
    const target = fc.constantFrom(
      ['post', '/api/v1/admin/namespace'],
      ['put', '/api/v1/admin/namespace/999999999'],
      ['put', '/api/v1/admin/namespace/abc'],
      ['post', '/api/v1/admin/namespace/import'],
      ['post', '/api/v1/admin/config/rollback'],
      ['put', '/api/v1/admin/config/version/keep'],
      ['post', '/api/v1/config/batch-get'],
    ) as fc.Arbitrary<['post' | 'put', string]>;
    const body = bodyLike([
      'name',
      'namespace',
      'description',
      'status',
      'configs',
      'mode',
      'key',
      'keys',
      'target_version',
      'version',
      'kept',
    ]);
    await fc.assert(
      fc.asyncProperty(target, body, async ([method, path], payload) => {
        const reply = await api.raw(method, path, JSON.stringify(payload), 'application/json');
        expectHandled(reply, `${method} ${path} ${JSON.stringify(payload)}`);
      }),
      params,
    );
  });

  it('random query strings for GET endpoints never produce a 500', async () => {
    const path = fc.oneof(
      fc.constantFrom(
        '/api/v1/config/get',
        '/api/v1/config/versions',
        '/api/v1/config/diff',
        '/api/v1/admin/config/list',
        '/api/v1/admin/config/history',
        '/api/v1/admin/namespace/list',
        '/api/v1/admin/namespace/export',
      ),
      text.map((name) => `/api/v1/config/namespace/${encodeURIComponent(name || 'x')}`),
    );
    const names = fc.constantFrom(
      'namespace',
      'key',
      'version',
      'page',
      'page_size',
      'from',
      'to',
      'from_version',
      'to_version',
      'name',
      'status',
      'limit',
    );
    const value = fc.oneof(
      text,
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom('k0', '1', '2', '-1', '0', 'NaN', '[]', 'true'),
    );
    const query = fc.dictionary(fc.oneof(names, text), fc.oneof(value, fc.constant(ns)), {
      maxKeys: 6,
    });
    await fc.assert(
      fc.asyncProperty(path, query, async (url, q) => {
        const reply = await api.get(url, q);
        expectHandled(reply, `GET ${url} ${JSON.stringify(q)}`);
      }),
      params,
    );
  });

  it('repeated and array-valued query parameters never produce a 500', async () => {
    const raw = fc.array(
      fc.tuple(
        fc.constantFrom('namespace', 'key', 'version', 'page_size', 'from', 'to'),
        fc.constantFrom('k0', '1', '2', 'x', ''),
      ),
      { maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/v1/config/get', '/api/v1/config/diff', '/api/v1/admin/config/list'),
        raw,
        async (url, pairs) => {
          const qs = [
            `namespace=${ns}`,
            ...pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
            'key[]=k0',
          ].join('&');
          const reply = await api.get(`${url}?${qs}`);
          expectHandled(reply, `GET ${url}?${qs}`);
        },
      ),
      params,
    );
  });

  it('non-JSON and malformed bodies never produce a 500', async () => {
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/json; charset=latin1',
    );
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v).slice(0, -1)),
      fc.constantFrom(
        '',
        '{',
        'null',
        '[]',
        '"str"',
        '42',
        'namespace=a&key=b&value=c',
        '<x/>',
        '{"__proto__":{"x":1}}',
        '{"constructor":{"prototype":{}}}',
      ),
    );
    const target = fc.constantFrom(
      ['post', '/api/v1/admin/config'],
      ['put', '/api/v1/admin/config'],
      ['post', '/api/v1/admin/config/batch'],
      ['post', '/api/v1/admin/namespace'],
      ['post', '/api/v1/config/batch-get'],
      ['post', '/api/v1/admin/namespace/import'],
    ) as fc.Arbitrary<['post' | 'put', string]>;
    await fc.assert(
      fc.asyncProperty(target, contentType, body, async ([method, path], type, payload) => {
        const reply = await api.raw(method, path, payload, type);
        expectHandled(reply, `${method} ${path} [${type}] ${JSON.stringify(payload)}`);
      }),
      params,
    );
  });

  it('hostile headers, query strings and bodies on every endpoint get an envelope with a known code', async () => {
    const segment = fc.oneof(
      fc.constantFrom(ns, '0', '-1', '1e3', '99999999999999999999', '%00', '%ZZ', '..', '_system'),
      text.map((t) => encodeURIComponent(t) || 'x'),
    );
    const endpoint = fc.oneof(
      fc.constantFrom(
        ['get', '/api/v1/config/get'],
        ['post', '/api/v1/config/batch-get'],
        ['get', '/api/v1/config/versions'],
        ['get', '/api/v1/config/diff'],
        ['post', '/api/v1/admin/config'],
        ['put', '/api/v1/admin/config'],
        ['delete', '/api/v1/admin/config'],
        ['post', '/api/v1/admin/config/batch'],
        ['get', '/api/v1/admin/config/list'],
        ['get', '/api/v1/admin/config/history'],
        ['post', '/api/v1/admin/config/rollback'],
        ['put', '/api/v1/admin/config/version/keep'],
        ['post', '/api/v1/admin/config/versions/cleanup'],
        ['post', '/api/v1/admin/namespace'],
        ['get', '/api/v1/admin/namespace/list'],
        ['get', '/api/v1/admin/namespace/export'],
        ['post', '/api/v1/admin/namespace/import'],
        ['get', '/api/v1/admin/cluster/members'],
        ['post', '/api/v1/admin/cluster/members'],
        ['post', '/api/v1/admin/cluster/transfer-leader'],
        ['get', '/api/v1/health'],
        ['get', '/api/v1/health/live'],
        ['get', '/api/v1/health/ready'],
        ['post', '/internal/raft/messages'],
        ['post', '/internal/raft/propose'],
        ['post', '/internal/raft/stream'],
        ['patch', '/api/v1/admin/config'],
        ['get', '/api/v1/nowhere'],
      ),
      segment.map((s) => ['get', `/api/v1/config/namespace/${s}`]),
      segment.map((s) => ['put', `/api/v1/admin/namespace/${s}`]),
      segment.map((s) => ['delete', `/api/v1/admin/namespace/${s}`]),
      segment.map((s) => ['delete', `/api/v1/admin/cluster/members/${s}`]),
    ) as fc.Arbitrary<[string, string]>;
    const queryString = fc.oneof(
      fc.constant(undefined),
      fc
        .array(
          fc.tuple(
            fc.oneof(
              fc.constantFrom(
                'namespace',
                'key',
                'version',
                'page',
                'page_size',
                'limit',
                'from',
                'to',
                'status',
                'consistency',
                '__proto__',
                'key[]',
              ),
              text,
            ),
            fc.oneof(
              fc.constantFrom(
                ns,
                'k0',
                '1',
                '1e0',
                ' 0x1 ',
                '-0',
                'true',
                'linearizable',
                '%',
                '%00',
              ),
              text,
            ),
          ),
          { maxLength: 5 },
        )
        .map((pairs) =>
          pairs
            .map(
              ([k, v]) =>
                `${encodeURIComponent(k)}=${v.startsWith('%') ? v : encodeURIComponent(v)}`,
            )
            .join('&'),
        ),
    );
    const body = fc.oneof(
      fc.constant(undefined),
      bodyLike([
        ...configFields,
        'operations',
        'keys',
        'name',
        'configs',
        'mode',
        'kept',
        'version',
        'target_version',
        'id',
        'url',
        'to',
      ]).map((b) => Buffer.from(JSON.stringify(b))),
      jsonText.map((t) =>
        Buffer.from(`{"namespace":"${ns}","key":"k0","value":${t},"keys":["k0"]}`),
      ),
      fc
        .constantFrom(
          '['.repeat(10_000) + ']'.repeat(10_000),
          '{"a":1,"a":2}',
          '{"value":1e309}',
          '\ufeff{}',
          '{"__proto__":{"namespace":"x"},"constructor":{"prototype":{"polluted":1}}}',
          '{',
          '',
        )
        .map((t) => Buffer.from(t)),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
    );
    const contentType = fc.constantFrom(
      undefined,
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/x-ndjson',
      'multipart/form-data',
      '',
    );
    await fc.assert(
      fc.asyncProperty(
        endpoint,
        queryString,
        body,
        contentType,
        hostileHeaders,
        async ([method, path], query, payload, type, headers) => {
          const reply = await hostile(method, path, {
            query,
            body: payload,
            contentType: type,
            headers,
          });
          const what = `${method} ${path}?${query ?? ''} [${type}] ${JSON.stringify(headers)} ${payload?.toString('utf8').slice(0, 200)}`;
          // A single node has no cluster to manage or to talk to.
          const clusterOnly =
            path.startsWith('/internal/') || path.startsWith('/api/v1/admin/cluster');
          if (clusterOnly && reply.status === 503 && reply.body?.code === 50301) return;
          expectHandled(reply, what);
        },
      ),
      hostileParams,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a value reads back exactly as acknowledged, or is refused and leaves nothing', async () => {
    const { name } = await api.createNamespace(uniqueName('exact'));
    let serial = 0;
    const maxValueBytes = 2048;
    const how = fc.constantFrom('create', 'batch', 'import');
    await fc.assert(
      fc.asyncProperty(
        how,
        fc.array(jsonText, { minLength: 1, maxLength: 3 }),
        async (path, values) => {
          const keys = values.map(() => `v${serial++}`);
          const at = path === 'create' ? 1 : 3;
          const verdicts = values.map((v) => verdictOf(v, at, maxValueBytes));
          const entries = values.map((v, i) => `{"key":"${keys[i]}","value":${v}}`);
          let reply: Reply;
          if (path === 'create') {
            keys.splice(1);
            verdicts.splice(1);
            reply = await hostile('post', '/api/v1/admin/config', {
              body: Buffer.from(`{"namespace":"${name}","key":"${keys[0]}","value":${values[0]}}`),
              contentType: 'application/json',
            });
          } else if (path === 'batch') {
            const operations = entries.map(
              (e) => `{"op":"upsert","namespace":"${name}",${e.slice(1)}`,
            );
            reply = await hostile('post', '/api/v1/admin/config/batch', {
              body: Buffer.from(`{"operations":[${operations.join(',')}]}`),
              contentType: 'application/json',
            });
          } else {
            reply = await hostile('post', '/api/v1/admin/namespace/import', {
              body: Buffer.from(
                `{"namespace":"${name}","mode":"merge","configs":[${entries.join(',')}]}`,
              ),
              contentType: 'application/json',
            });
          }
          expectHandled(reply, `${path} ${values.join(' ')}`);
          const refused = verdicts.find((v) => !v.accepted);
          if (refused) {
            expect({ code: reply.body.code, why: refused }).toEqual({ code: 40002, why: refused });
            for (const key of keys) fails(await api.getConfig(name, key), 40403);
            return;
          }
          expect({ code: reply.body.code, message: reply.body.message }).toEqual({
            code: 0,
            message: reply.body.message,
          });
          for (let i = 0; i < keys.length; i++) {
            const read = ok(await api.getConfig(name, keys[i]));
            expect(JSON.stringify(read.value)).toBe(JSON.stringify(JSON.parse(values[i])));
          }
        },
      ),
      hostileParams,
    );
  });

  it('a random batch with at least one invalid operation never half-applies', async () => {
    const { name } = await api.createNamespace(uniqueName('atomic'));
    for (let i = 0; i < 4; i++) ok(await api.createConfig(name, `k${i}`, i));
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
    const validish = fc.record({
      op: fc.constantFrom('create', 'update', 'upsert', 'delete'),
      namespace: fc.constant(name),
      key: fc.constantFrom(...keys),
      value: fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== null),
    });
    // Invalid whatever comes before it in the batch.
    const invalid = fc.oneof(
      fc.record({
        op: fc.constant('upsert'),
        namespace: fc.constant(uniqueName('ghost')),
        key: fc.constant('k0'),
        value: fc.constant(1),
      }),
      fc.record({
        op: fc.constantFrom('update', 'upsert', 'delete'),
        namespace: fc.constant(name),
        key: fc.constantFrom(...keys),
        value: fc.constant(1),
        expected_version: fc.constant(999_999),
      }),
      fc.record({
        op: fc.constantFrom('update', 'delete'),
        namespace: fc.constant(name),
        key: fc.constant('never.created'),
        value: fc.constant(1),
      }),
      fc.record({
        op: fc.constant('upsert'),
        namespace: fc.constant(name),
        key: fc.constantFrom('bad key', '', '.x'),
        value: fc.constant(1),
      }),
      fc.record({
        op: fc.constant('upsert'),
        namespace: fc.constant(name),
        key: fc.constant('k1'),
        value: fc.constant('x'.repeat(3000)),
      }),
      fc.record({
        op: fc.constant('frobnicate'),
        namespace: fc.constant(name),
        key: fc.constant('k1'),
        value: fc.constant(1),
      }),
    );
    const batch = fc
      .tuple(fc.array(validish, { maxLength: 6 }), invalid, fc.nat())
      .map(([ops, bad, at]) => {
        const copy: unknown[] = [...ops];
        copy.splice(at % (ops.length + 1), 0, bad);
        return copy;
      });

    const snapshot = async () => {
      const data = ok(await api.namespaceConfigs(name));
      return { configs: data.configs, versions: data.versions, revision: data.version };
    };
    await fc.assert(
      fc.asyncProperty(batch, async (operations) => {
        const before = await snapshot();
        const reply = await api.post('/api/v1/admin/config/batch', { operations });
        expectHandled(reply, JSON.stringify(operations));
        expect(reply.body.code).not.toBe(0);
        expect(await snapshot()).toEqual(before);
      }),
      params,
    );
  });
});
